/** The compiler's diagnostics in LSP's shape. */
import { DiagnosticSeverity, type Diagnostic } from "vscode-languageserver/node.js";
import type { CompilerDiagnostic } from "../compiler/diagnostics.ts";
import { toLspRange } from "./positions.ts";
import { DIAGNOSTIC_SOURCE, NOT_CHECKED_CODE } from "./protocol.ts";
import type { FixData } from "./quick-fixes.ts";

export function toLspDiagnostic(diagnostic: CompilerDiagnostic): Diagnostic {
  const { fix } = diagnostic;
  const data: FixData | undefined = fix && { fix: { title: fix.title, edit: { range: toLspRange(fix), newText: fix.newText } } };
  return {
    range: toLspRange(diagnostic),
    severity: diagnostic.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: diagnostic.code,
    source: DIAGNOSTIC_SOURCE,
    message: diagnostic.message,
    ...(data ? { data } : {}),
  };
}

/**
 * The one diagnostic of a document aloft could not check, at its first line,
 * so the reason shows where the user looks for problems.
 */
export function notCheckedDiagnostic(reason: string, severity: DiagnosticSeverity = DiagnosticSeverity.Warning): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity,
    code: NOT_CHECKED_CODE,
    source: DIAGNOSTIC_SOURCE,
    message: reason,
  };
}
