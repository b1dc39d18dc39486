/**
 * Bearer tokens of the runner service. A token is `aloft-token.` and 32
 * random bytes in base64url; the store keeps only its SHA-256, so a copy of
 * the database grants nothing.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { StateStore, TokenRecord, TokenScope } from "../store/state-store.ts";

export const TOKEN_BYTES = 32;
/**
 * Names what a leaked token is (for secret scanners, and people), and keeps a
 * token from starting with "-": base64url alone does, one time in 64, and one
 * in 4096 starts with "--", which `--token T` takes for a missing value.
 */
export const TOKEN_PREFIX = "aloft-token.";

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Creates a token with `scope`, records its hash, and returns the token itself (the only time it exists). */
export async function issueToken(store: StateStore, scope: TokenScope, description: string, now = Date.now()): Promise<{ token: string; record: TokenRecord }> {
  const token = generateToken();
  const record: TokenRecord = { id: randomUUID(), hash: hashToken(token), scope, description, createdAt: now };
  await store.insertToken(record);
  return { token, record };
}

/**
 * The live token whose hash equals the hash of `token`, if any. Every stored
 * hash is compared in constant time, and all of them are compared, so how
 * long this takes says nothing about how close a guess was.
 */
export async function findToken(store: StateStore, token: string): Promise<TokenRecord | undefined> {
  const presented = Buffer.from(hashToken(token), "hex");
  let found: TokenRecord | undefined;
  for (const record of await store.listTokens()) {
    const stored = Buffer.from(record.hash, "hex");
    if (stored.length === presented.length && timingSafeEqual(stored, presented) && !found) found = record;
  }
  return found;
}
