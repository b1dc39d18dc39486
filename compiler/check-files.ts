/**
 * The diagnostics `aloft check` reports: of each file given (never of the
 * files they import), all files read together in one session.
 */
import { resolve } from "node:path";
import type { CompilerDiagnostic } from "./diagnostics.ts";
import { readEntitiesOfFiles } from "./interfaces.ts";
import { TypeScriptSession } from "./ts-api.ts";
import type { StartedTsgo } from "./tsgo-start.ts";

/** `started`: a tsgo started ahead for these files (see tsgo-start.ts). */
export function checkFiles(files: readonly string[], options: { cwd?: string; started?: StartedTsgo } = {}): CompilerDiagnostic[] {
  // Nothing is served instead of the disk: tsgo reads it itself.
  const session = new TypeScriptSession({ ...options, overlays: false, oneShot: true });
  const seen = new Set<string>();
  const out: CompilerDiagnostic[] = [];
  try {
    const readings = readEntitiesOfFiles(files, session);
    files.forEach((file, i) => {
      for (const d of readings[i]!.diagnostics) {
        const key = `${d.file}:${d.line}:${d.column}:${d.code}:${d.message}`;
        if (d.file !== resolve(file) || seen.has(key)) continue;
        seen.add(key);
        out.push(d);
      }
    });
  } finally {
    session.close();
  }
  return out;
}
