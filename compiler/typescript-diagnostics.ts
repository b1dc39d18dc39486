/**
 * TypeScript's own diagnostics for one file, as `CompilerDiagnostic`s: a
 * workflow file that does not type-check is reported like any other error.
 */
import { rangeToPositions, type CompilerDiagnostic } from "./diagnostics.ts";
import { DiagnosticCategory, type Diagnostic } from "./ts-api.ts";
import type { OpenedFile, TypeScriptSession } from "./ts-api.ts";

/** "Cannot find module 'x'" and its variants that suggest other settings. */
const MODULE_NOT_FOUND_CODES = new Set([2307, 2792]);

export function typescriptDiagnostics(opened: OpenedFile, session: TypeScriptSession): CompilerDiagnostic[] {
  const { program, file, text } = opened;
  const ofFile = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
  // A broken tsconfig.json or compiler option explains errors in every file.
  const ofProject = opened.synthesizedConfig
    ? []
    : [...program.getConfigFileParsingDiagnostics(), ...program.getProgramDiagnostics()];

  const result: CompilerDiagnostic[] = [];
  for (const d of ofFile) {
    const sdkMissing = isAloftNotFound(d, text);
    result.push({
      file,
      ...rangeToPositions(text, d.pos, d.end),
      severity: severityOf(d),
      code: sdkMissing ? "ALOFT_SDK_NOT_FOUND" : `TS${d.code}`,
      message: sdkMissing ? sdkNotFoundMessage(file, opened) : flatten(d),
    });
  }
  const seen = new Set<string>();
  for (const d of ofProject) {
    const key = `${d.fileName}:${d.pos}:${d.code}:${d.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const where = d.fileName ?? opened.configFile;
    const whereText = session.readText(where) ?? "";
    result.push({
      file: where,
      ...(d.fileName ? rangeToPositions(whereText, d.pos, d.end) : { line: 1, column: 1, endLine: 1, endColumn: 1 }),
      severity: severityOf(d),
      code: `TS${d.code}`,
      message: flatten(d),
    });
  }
  return result;
}

function severityOf(d: Diagnostic): CompilerDiagnostic["severity"] {
  return d.category === DiagnosticCategory.Error ? "error" : "warning";
}

/** The message with its chain of reasons, indented as `tsc` prints them. */
function flatten(d: Diagnostic, depth = 0): string {
  const lines = [`${"  ".repeat(depth)}${d.text}`];
  for (const next of d.messageChain ?? []) lines.push(flatten(next, depth + 1));
  return lines.join("\n");
}

function isAloftNotFound(d: Diagnostic, text: string): boolean {
  if (!MODULE_NOT_FOUND_CODES.has(d.code)) return false;
  const specifier = text.slice(d.pos, d.end);
  return specifier === '"aloft"' || specifier === "'aloft'";
}

function sdkNotFoundMessage(file: string, opened: OpenedFile): string {
  const lone = opened.synthesizedConfig ? " (there is no tsconfig.json above it)" : "";
  return (
    `cannot find the aloft SDK: "aloft" does not resolve from ${file}${lone}. ` +
    `Install aloft where this file can import it (npm install aloft) so its tasks and workflows can be checked and run.`
  );
}
