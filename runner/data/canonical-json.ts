/**
 * One byte string per value: keys sorted by UTF-16 code units (as RFC 8785
 * does), no whitespace, numbers as JavaScript prints them. Cache keys hash
 * this, so two runs that pass the same data hit the same cache entry however
 * their objects were built. Files and Dirs appear by content digest, so equal
 * content hashes equal wherever it was read from.
 */
import { createHash } from "node:crypto";
import type { WireValue } from "./wire.ts";

export function canonicalJson(wire: WireValue): string {
  return write(wire);
}

/** sha256 hex of the canonical JSON. */
export function hashWire(wire: WireValue): string {
  return createHash("sha256").update(canonicalJson(wire)).digest("hex");
}

function write(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      // The type engine never produces these; hashing them as null would make distinct inputs collide.
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map(write).join(",")}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write(record[k])}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} is not a wire value`);
  }
}
