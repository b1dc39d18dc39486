/**
 * Tokens a warm worker pod connects back to the runner with. Like attempt
 * tokens, an HMAC with the secret the replicas share, so none is stored; the
 * MAC covers a "worker" domain tag, so a worker token never passes for an
 * attempt token. It names one pod of one pool of one runner instance: a
 * restarted runner refuses the pods of its earlier life.
 */
import { signToken, type TokenKind, verifyToken } from "./signed-tokens.ts";

const KIND: TokenKind = { prefix: "aloft-worker.", domain: "aloft-worker-token:", fields: 3 };

export interface WorkerClaims {
  /** The runner process that created the pod (a random id per start). */
  instance: string;
  pool: string;
  pod: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export function signWorkerToken(secret: Buffer, claims: WorkerClaims): string {
  return signToken(secret, KIND, [claims.instance, claims.pool, claims.pod], claims.expiresAt);
}

export function isWorkerToken(token: string): boolean {
  return token.startsWith(KIND.prefix);
}

export type WorkerTokenCheck = { ok: true; claims: WorkerClaims } | { ok: false; reason: string };

export function verifyWorkerToken(secret: Buffer, token: string, now = Date.now()): WorkerTokenCheck {
  if (!isWorkerToken(token)) return { ok: false, reason: "it is not a worker token" };
  const checked = verifyToken(secret, KIND, token, now);
  if (!checked.ok) return checked;
  const [instance, pool, pod] = checked.fields;
  if (typeof instance !== "string" || typeof pool !== "string" || typeof pod !== "string") return { ok: false, reason: "it is malformed" };
  return { ok: true, claims: { instance, pool, pod, expiresAt: checked.expiresAt } };
}
