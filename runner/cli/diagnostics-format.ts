/**
 * Diagnostics as a terminal shows them: one line each (file:line:column,
 * severity, code, message) and, when `pretty`, the source line beneath with
 * the range underlined, as tsc shows its errors on a terminal.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import type { CompilerDiagnostic } from "../../compiler/diagnostics.ts";
import { dim, red, yellow } from "./format.ts";

export function formatDiagnostics(diagnostics: readonly CompilerDiagnostic[], options: { pretty?: boolean } = {}): string {
  const sources = new Map<string, readonly string[] | undefined>();
  const linesOf = (file: string) => {
    if (!sources.has(file)) sources.set(file, readLines(file));
    return sources.get(file);
  };
  const entries = diagnostics.map((d) => {
    const head = `${relative(process.cwd(), d.file)}:${d.line}:${d.column} ${d.severity === "error" ? red("error") : yellow("warning")} ${dim(d.code)} ${d.message}`;
    const frame = options.pretty ? codeFrame(linesOf(d.file), d) : undefined;
    return frame ? `${head}\n\n${frame}\n` : head;
  });
  return entries.join("\n");
}

/**
 * The diagnostic's first line, numbered, with its range underlined (to the
 * end of that line when the range goes on). Undefined when the file or the
 * line cannot be read (a file changed since the check).
 */
export function codeFrame(lines: readonly string[] | undefined, at: Pick<CompilerDiagnostic, "line" | "column" | "endLine" | "endColumn">): string | undefined {
  const source = lines?.[at.line - 1];
  if (source === undefined) return undefined;
  const start = Math.min(at.column - 1, source.length);
  const end = at.endLine === at.line ? Math.min(at.endColumn - 1, source.length) : source.length;
  const number = String(at.line);
  // The underline keeps the line's own tabs before it, so it sits under the range however wide a tab shows.
  const lead = source.slice(0, start).replace(/[^\t]/g, " ");
  return `${dim(number)} │ ${source}\n${" ".repeat(number.length)} │ ${lead}${red("~".repeat(Math.max(1, end - start)))}`;
}

function readLines(file: string): readonly string[] | undefined {
  try {
    return readFileSync(file, "utf8").split(/\r?\n/);
  } catch {
    return undefined;
  }
}
