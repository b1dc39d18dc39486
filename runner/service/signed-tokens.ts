/**
 * Tokens that carry their own claims: `<prefix><base64url JSON array>.<HMAC>`,
 * signed with a secret the replicas share through the state store, so none
 * is stored and any replica can check one. The last field is always the
 * expiry. A domain tag in the MAC keeps one kind of token from passing for
 * another.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface TokenKind {
  prefix: string;
  /** Mixed into the MAC; "" for attempt tokens, which predate the tag. */
  domain: string;
  /** Claims before the expiry. */
  fields: number;
}

export type SignedCheck = { ok: true; fields: unknown[]; expiresAt: number } | { ok: false; reason: string };

export function signToken(secret: Buffer, kind: TokenKind, fields: unknown[], expiresAt: number): string {
  const payload = Buffer.from(JSON.stringify([...fields, expiresAt]), "utf8").toString("base64url");
  return `${kind.prefix}${payload}.${mac(secret, kind, payload)}`;
}

/** Checks the signature, the shape and the expiry; the caller checks each field's type. */
export function verifyToken(secret: Buffer, kind: TokenKind, token: string, now: number): SignedCheck {
  const [payload, signature, ...rest] = token.slice(kind.prefix.length).split(".");
  if (!payload || !signature || rest.length) return { ok: false, reason: "it is malformed" };
  const expected = Buffer.from(mac(secret, kind, payload), "utf8");
  const given = Buffer.from(signature, "utf8");
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: "its signature is not this runner's" };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "it is malformed" };
  }
  if (!Array.isArray(decoded) || decoded.length !== kind.fields + 1) return { ok: false, reason: "it is malformed" };
  const expiresAt = decoded[kind.fields] as unknown;
  if (typeof expiresAt !== "number") return { ok: false, reason: "it is malformed" };
  if (expiresAt <= now) return { ok: false, reason: `it expired at ${new Date(expiresAt).toISOString()}` };
  return { ok: true, fields: decoded.slice(0, kind.fields), expiresAt };
}

function mac(secret: Buffer, kind: TokenKind, payload: string): string {
  return createHmac("sha256", secret).update(kind.domain + payload, "utf8").digest("base64url");
}
