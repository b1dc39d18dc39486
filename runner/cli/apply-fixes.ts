/**
 * `aloft check --fix`: the edits that sure diagnostics carry (a misspelt
 * input's or option's rename), written into their files. Edits that overlap
 * an earlier one of the same file wait for the next check; a file that
 * changed since it was checked is left as it is.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { withFixes, type CompilerDiagnostic, type DiagnosticFix } from "../../compiler/diagnostics.ts";

export interface FixOutcome {
  /** How many fixes were written. */
  fixed: number;
  files: string[];
  /** Files whose text was not the one checked when the fixes came to be written. */
  changedMeanwhile: string[];
}

export function applyFixes(diagnostics: readonly CompilerDiagnostic[], checkedTexts: ReadonlyMap<string, string>): FixOutcome {
  const byFile = new Map<string, DiagnosticFix[]>();
  for (const d of diagnostics) {
    if (!d.fix) continue;
    const fixes = byFile.get(d.file);
    if (fixes) fixes.push(d.fix);
    else byFile.set(d.file, [d.fix]);
  }
  const outcome: FixOutcome = { fixed: 0, files: [], changedMeanwhile: [] };
  for (const [file, fixes] of byFile) {
    const text = readFileSync(file, "utf8");
    if (text !== checkedTexts.get(file)) {
      outcome.changedMeanwhile.push(file);
      continue;
    }
    const fixed = withFixes(text, fixes);
    writeFileSync(file, fixed.text);
    outcome.fixed += fixed.applied;
    outcome.files.push(file);
  }
  return outcome;
}
