/**
 * Entity interfaces come from the TypeScript checker, which costs far more
 * than a run's start-up should. They are kept per entry file, with
 * fingerprints of every file the checker read (sources, declaration files,
 * tsconfig), and reused while none of those changed.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CompilerDiagnostic } from "../../compiler/diagnostics.ts";
import { readEntities } from "../../compiler/interfaces.ts";
import type { EntityInterface } from "../../compiler/type-spec.ts";
import { fingerprintAll, sha256, unchanged, type Fingerprints } from "./fingerprints.ts";

export interface FileInterfaces {
  entities: EntityInterface[];
  diagnostics: CompilerDiagnostic[];
}

interface CacheEntry extends FileInterfaces {
  sources: Fingerprints;
}

export function loadInterfaces(file: string, cacheDir: string): FileInterfaces {
  const entry = resolve(file);
  const path = join(cacheDir, "interfaces", `${sha256(entry).slice(0, 32)}.json`);
  try {
    const cached = JSON.parse(readFileSync(path, "utf8")) as CacheEntry;
    if (unchanged(cached.sources)) return { entities: cached.entities, diagnostics: cached.diagnostics };
  } catch {
    // not cached yet, or unreadable: read afresh
  }
  const { entities, diagnostics, sources } = readEntities(entry);
  mkdirSync(join(cacheDir, "interfaces"), { recursive: true });
  // The checker's own code is an input too: a newer aloft may find more.
  const inputs = [...sources, fileURLToPath(import.meta.url)];
  writeFileSync(path, JSON.stringify({ entities, diagnostics, sources: fingerprintAll(inputs) } satisfies CacheEntry));
  return { entities, diagnostics };
}
