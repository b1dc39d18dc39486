/**
 * Versions and cache keys. A task's version covers its code (the bundle
 * hash), its interface and its `cache.version`, so a changed task never
 * returns a stale result (Flyte leaves code out of its key).
 */
import { createHash } from "node:crypto";
import type { EntityInterface } from "../../compiler/type-spec.ts";

export function taskVersion(bundleHash: string, iface: EntityInterface | undefined, cacheVersion: string): string {
  const shape = iface ? JSON.stringify({ inputs: iface.inputs, output: iface.output }) : "";
  return digest([bundleHash, shape, cacheVersion]);
}

export function cacheKey(entity: string, version: string, inputHash: string): string {
  return digest([entity, version, inputHash]);
}

function digest(parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("hex");
}
