/**
 * Quick fixes: the edits aloft's diagnostics carry (a misspelt input or
 * option, renamed to the name it meant), offered for a range of a document.
 * They come from the document's latest analysis, never from the diagnostics
 * the editor sends back: those may be of an older text.
 */
import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit } from "vscode-languageserver/node.js";
import { DIAGNOSTIC_SOURCE } from "./protocol.ts";

/** What an aloft diagnostic with a fix carries in its `data`. */
export interface FixData {
  fix: { title: string; edit: TextEdit };
}

export function quickFixes(uri: string, diagnostics: readonly Diagnostic[], range: Range): CodeAction[] {
  return diagnostics.flatMap((diagnostic) => {
    const fix = (diagnostic.data as Partial<FixData> | undefined)?.fix;
    if (!fix || diagnostic.source !== DIAGNOSTIC_SOURCE || !touches(diagnostic.range, range)) return [];
    return [{ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit: { changes: { [uri]: [fix.edit] } } }];
  });
}

function touches(a: Range, b: Range): boolean {
  return !(before(a.end, b.start) || before(b.end, a.start));
}

function before(p: Range["start"], q: Range["start"]): boolean {
  return p.line < q.line || (p.line === q.line && p.character < q.character);
}
