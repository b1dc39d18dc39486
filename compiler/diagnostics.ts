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
  let line = 1;
  let lineStart = 0;
  const stop = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < stop; i++) {
    const c = text.charCodeAt(i);
    // \r\n counts once (at the \n); a lone \r ends a line too, as in TypeScript.
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: stop - lineStart + 1 };
}

export function hasErrors(diagnostics: readonly CompilerDiagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** The 0-based offset of a 1-based line and column of `text` (the inverse of offsetToLineColumn). */
export function lineColumnToOffset(text: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line && offset < text.length; offset++) {
    const c = text.charCodeAt(offset);
    if (c === 10 || (c === 13 && text.charCodeAt(offset + 1) !== 10)) current++;
  }
  return Math.min(offset + column - 1, text.length);
}
