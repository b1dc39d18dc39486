/**
 * Short-lived tokens a pod's agent uses to fetch one attempt's code and
 * inputs and report its result. Each is an HMAC over the attempt and an
 * expiry, signed with a secret the replicas share through the state store,
 * so no token is stored and any replica can check one. A token opens only
 * its own attempt's routes, and only until it expires.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { AttemptRef } from "../worker/protocol.ts";

const PREFIX = "aloft-attempt.";

export interface AttemptClaims extends AttemptRef {
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export function signAttemptToken(secret: Buffer, claims: AttemptClaims): string {
  const payload = Buffer.from(JSON.stringify([claims.executionId, claims.nodeId, claims.attempt, claims.expiresAt]), "utf8").toString("base64url");
  return `${PREFIX}${payload}.${mac(secret, payload)}`;
}

export function isAttemptToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

export type AttemptTokenCheck = { ok: true; claims: AttemptClaims } | { ok: false; reason: string };

export function verifyAttemptToken(secret: Buffer, token: string, now = Date.now()): AttemptTokenCheck {
  if (!isAttemptToken(token)) return { ok: false, reason: "it is not an attempt token" };
  const [payload, signature, ...rest] = token.slice(PREFIX.length).split(".");
  if (!payload || !signature || rest.length) return { ok: false, reason: "it is malformed" };
  const expected = Buffer.from(mac(secret, payload), "utf8");
  const given = Buffer.from(signature, "utf8");
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: "its signature is not this runner's" };
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "it is malformed" };
  }
  if (!Array.isArray(fields) || fields.length !== 4) return { ok: false, reason: "it is malformed" };
  const [executionId, nodeId, attempt, expiresAt] = fields as [unknown, unknown, unknown, unknown];
  if (typeof executionId !== "string" || typeof nodeId !== "string" || typeof attempt !== "number" || typeof expiresAt !== "number") {
    return { ok: false, reason: "it is malformed" };
  }
  if (expiresAt <= now) return { ok: false, reason: `it expired at ${new Date(expiresAt).toISOString()}` };
  return { ok: true, claims: { executionId, nodeId, attempt, expiresAt } };
}

function mac(secret: Buffer, payload: string): string {
  return createHmac("sha256", secret).update(payload, "utf8").digest("base64url");
}
