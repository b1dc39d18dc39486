/**
 * Content digests as aloft writes them: `sha256:<64 lowercase hex>`. Every
 * digest that enters the blob store from outside (a wire value, a manifest,
 * a CLI flag) is checked here before it becomes a path on disk.
 */
import { AloftError } from "../../compiler/errors.ts";

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isDigest(value: unknown): value is string {
  return typeof value === "string" && DIGEST.test(value);
}

/** The 64 hex characters of a digest, after checking its form. */
export function hexOf(digest: string): string {
  assertDigest(digest);
  return digest.slice("sha256:".length);
}

export function digestOfHex(hex: string): string {
  return `sha256:${hex}`;
}

export function assertDigest(digest: unknown, where?: string): asserts digest is string {
  if (isDigest(digest)) return;
  const shown = typeof digest === "string" ? JSON.stringify(digest.length > 80 ? `${digest.slice(0, 80)}…` : digest) : String(digest);
  throw new AloftError({
    code: "DIGEST_INVALID",
    message: `${where ? `${where}: ` : ""}${shown} is not a blob digest; digests look like sha256:<64 lowercase hex digits>`,
  });
}
