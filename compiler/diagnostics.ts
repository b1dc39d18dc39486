/**
 * What the compiler reports about a user's source: TypeScript's own errors
 * (code `TS<n>`) and aloft's (code `ALOFT_*`), in one shape that `aloft check`,
 * `aloft run` and the language server all print.
 */
export interface CompilerDiagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units (what editors count). */
  column: number;
  endLine: number;
  /** 1-based, just past the last character (exclusive, like LSP and ESLint). */
  endColumn: number;
  severity: "error" | "warning";
  /** `TS2322`, `ALOFT_NOT_DATA`, ... stable across releases. */
  code: string;
  message: string;
  /** The edit that fixes it, where one is sure enough to offer (a misspelt name's "did you mean"). */
  fix?: DiagnosticFix;
}

/** Replaces the text of its range (1-based, as a diagnostic's) with `newText`. */
export interface DiagnosticFix {
  /** What an editor offers: `Change "retrys" to "retries"`. */
  title: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  newText: string;
}

/** Converts a 0-based offset range of `text` into a diagnostic's 1-based positions. */
export function rangeToPositions(
  text: string,
  start: number,
  end: number,
): Pick<CompilerDiagnostic, "line" | "column" | "endLine" | "endColumn"> {
  const from = offsetToLineColumn(text, start);
  const to = offsetToLineColumn(text, Math.max(start, end));
  return { line: from.line, column: from.column, endLine: to.line, endColumn: to.column };
}

export function offsetToLineColumn(text: string, offset: number): { line: number; column: number } {
  const starts = lineStarts(text);
  const stop = Math.min(Math.max(offset, 0), text.length);
  // The last line starting at or before `stop`.
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= stop) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: stop - starts[low]! + 1 };
}

/** The last text's line starts: one file's diagnostics are converted in a row. */
let indexed: { text: string; starts: number[] } | undefined;

function lineStarts(text: string): number[] {
  if (indexed?.text === text) return indexed.starts;
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // \r\n counts once (at the \n); a lone \r ends a line too, as in TypeScript.
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  indexed = { text, starts };
  return starts;
}

export function hasErrors(diagnostics: readonly CompilerDiagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/**
 * `text` with `fixes` made, from the end backwards so each one's positions
 * still hold. A fix overlapping an earlier one is left out: the next check
 * finds it again. `applied` counts the fixes made.
 */
export function withFixes(text: string, fixes: readonly DiagnosticFix[]): { text: string; applied: number } {
  const edits = fixes
    .map((fix) => ({ start: lineColumnToOffset(text, fix.line, fix.column), end: lineColumnToOffset(text, fix.endLine, fix.endColumn), newText: fix.newText }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const kept = edits.filter((edit, i) => i === 0 || edit.start >= edits[i - 1]!.end);
  return { text: kept.reduceRight((out, edit) => out.slice(0, edit.start) + edit.newText + out.slice(edit.end), text), applied: kept.length };
}

/** The 0-based offset of a 1-based line and column of `text` (the inverse of offsetToLineColumn). */
export function lineColumnToOffset(text: string, line: number, column: number): number {
  const starts = lineStarts(text);
  const start = starts[Math.min(Math.max(line, 1), starts.length) - 1]!;
  return Math.min(start + column - 1, text.length);
}
