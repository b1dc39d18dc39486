/**
 * Short-lived tokens a pod's agent uses to fetch one attempt's code and
 * inputs and report its result. Each is an HMAC over the attempt and an
 * expiry, signed with a secret the replicas share through the state store,
 * so no token is stored and any replica can check one. A token opens only
 * its own attempt's routes, and only until it expires; the agent of an
 * attempt still running renews it before then, so an attempt may run for
 * longer than a token lasts.
 */
import type { AttemptRef } from "../worker/protocol.ts";
import { signToken, type TokenKind, verifyToken } from "./signed-tokens.ts";

const KIND: TokenKind = { prefix: "aloft-attempt.", domain: "", fields: 3 };

export interface AttemptClaims extends AttemptRef {
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export function signAttemptToken(secret: Buffer, claims: AttemptClaims): string {
  return signToken(secret, KIND, [claims.executionId, claims.nodeId, claims.attempt], claims.expiresAt);
}

export function isAttemptToken(token: string): boolean {
  return token.startsWith(KIND.prefix);
}

export type AttemptTokenCheck = { ok: true; claims: AttemptClaims } | { ok: false; reason: string };

export function verifyAttemptToken(secret: Buffer, token: string, now = Date.now()): AttemptTokenCheck {
  if (!isAttemptToken(token)) return { ok: false, reason: "it is not an attempt token" };
  const checked = verifyToken(secret, KIND, token, now);
  if (!checked.ok) return checked;
  const [executionId, nodeId, attempt] = checked.fields;
  if (typeof executionId !== "string" || typeof nodeId !== "string" || typeof attempt !== "number") return { ok: false, reason: "it is malformed" };
  return { ok: true, claims: { executionId, nodeId, attempt, expiresAt: checked.expiresAt } };
}

/** Signs attempt tokens valid for `ttlMs` from when each is issued. */
export class AttemptTokenIssuer {
  constructor(
    private readonly secret: () => Promise<Buffer>,
    readonly ttlMs: number,
  ) {}

  async issue(attempt: AttemptRef): Promise<{ token: string; expiresAt: number }> {
    const expiresAt = Date.now() + this.ttlMs;
    return { token: signAttemptToken(await this.secret(), { executionId: attempt.executionId, nodeId: attempt.nodeId, attempt: attempt.attempt, expiresAt }), expiresAt };
  }
}
