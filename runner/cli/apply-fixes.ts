/**
 * `aloft check --fix`: the edits that sure diagnostics carry (a misspelt
 * input's or option's rename), written into their files. Edits that overlap
 * an earlier one of the same file wait for the next check; a file that
 * changed since it was checked is left as it is.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { lineColumnToOffset, type CompilerDiagnostic, type DiagnosticFix } from "../../compiler/diagnostics.ts";

export interface FixOutcome {
  /** How many fixes were written. */
  fixed: number;
  files: string[];
  /** Files whose text was not the one checked when the fixes came to be written. */
  changedMeanwhile: string[];
}

export function applyFixes(diagnostics: readonly CompilerDiagnostic[], checkedTexts: ReadonlyMap<string, string>): FixOutcome {
  const byFile = new Map<string, DiagnosticFix[]>();
  for (const d of diagnostics) if (d.fix) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d.fix]);
  const outcome: FixOutcome = { fixed: 0, files: [], changedMeanwhile: [] };
  for (const [file, fixes] of byFile) {
    const text = readFileSync(file, "utf8");
    if (text !== checkedTexts.get(file)) {
      outcome.changedMeanwhile.push(file);
      continue;
    }
    const edits = fixes
      .map((fix) => ({ start: lineColumnToOffset(text, fix.line, fix.column), end: lineColumnToOffset(text, fix.endLine, fix.endColumn), newText: fix.newText }))
      .sort((a, b) => a.start - b.start || a.end - b.end);
    const kept = edits.filter((edit, i) => i === 0 || edit.start >= edits[i - 1]!.end);
    // From the end backwards, so each edit's offsets still hold when it is made.
    const fixed = kept.reduceRight((out, edit) => out.slice(0, edit.start) + edit.newText + out.slice(edit.end), text);
    writeFileSync(file, fixed);
    outcome.fixed += kept.length;
    outcome.files.push(file);
  }
  return outcome;
}
