/**
 * Fingerprints of source files, to tell cheaply whether a cached result
 * built from them is still good: size and mtime first, content hash when the
 * mtime moved (a touched but unchanged file stays a hit).
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";

export interface Fingerprint {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export type Fingerprints = Record<string, Fingerprint>;

export function fingerprint(path: string): Fingerprint {
  const stat = statSync(path);
  return { size: stat.size, mtimeMs: stat.mtimeMs, sha256: sha256(readFileSync(path)) };
}

export function fingerprintAll(paths: readonly string[]): Fingerprints {
  const out: Fingerprints = {};
  for (const path of paths) {
    try {
      out[path] = fingerprint(path);
    } catch {
      // A file the checker asked for but that does not exist (a probe); its absence is not an input.
    }
  }
  return out;
}

export function unchanged(fingerprints: Fingerprints): boolean {
  for (const [path, known] of Object.entries(fingerprints)) {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return false;
    }
    if (stat.size !== known.size) return false;
    if (stat.mtimeMs !== known.mtimeMs && sha256(readFileSync(path)) !== known.sha256) return false;
  }
  return true;
}

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
