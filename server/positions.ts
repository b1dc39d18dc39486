/**
 * Positions between the compiler (1-based lines and columns, end exclusive)
 * and LSP (0-based lines and characters, end exclusive). Both count UTF-16
 * code units, so only the base differs.
 */
import type { Position, Range } from "vscode-languageserver/node.js";

export interface CompilerRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function toLspRange(range: CompilerRange): Range {
  return {
    start: { line: Math.max(range.line - 1, 0), character: Math.max(range.column - 1, 0) },
    end: { line: Math.max(range.endLine - 1, 0), character: Math.max(range.endColumn - 1, 0) },
  };
}

/** A 1-based line and column from an LSP position. */
export function fromLspPosition(position: Position): { line: number; column: number } {
  return { line: position.line + 1, column: position.character + 1 };
}

const IDENTIFIER_CHAR = /[\p{ID_Continue}$\u200c\u200d]/u;

/** The identifier under (or just before) `offset` of `text`, with its 0-based offsets. */
export function identifierAt(text: string, offset: number): { name: string; start: number; end: number } | undefined {
  const at = Math.min(Math.max(offset, 0), text.length);
  let start = at;
  let end = at;
  while (start > 0 && IDENTIFIER_CHAR.test(text[start - 1]!)) start--;
  while (end < text.length && IDENTIFIER_CHAR.test(text[end]!)) end++;
  if (start === end || /[0-9]/.test(text[start]!)) return undefined;
  return { name: text.slice(start, end), start, end };
}

/**
 * The range of `name` on 1-based `line` of `text` (where a code lens or a
 * hover sits); the start of the line when the name is not written there
 * (an entity that comes through `export * from`).
 */
export function nameOnLine(text: string, line: number, name: string): Range {
  const lines = text.split(/\r\n|\r|\n/);
  const index = Math.min(Math.max(line - 1, 0), Math.max(lines.length - 1, 0));
  const lineText = lines[index] ?? "";
  const found = findWord(lineText, name);
  if (found < 0) return { start: { line: index, character: 0 }, end: { line: index, character: 0 } };
  return { start: { line: index, character: found }, end: { line: index, character: found + name.length } };
}

function findWord(text: string, word: string): number {
  for (let from = text.indexOf(word); from >= 0; from = text.indexOf(word, from + 1)) {
    const before = text[from - 1];
    const after = text[from + word.length];
    if ((before === undefined || !IDENTIFIER_CHAR.test(before)) && (after === undefined || !IDENTIFIER_CHAR.test(after))) return from;
  }
  return -1;
}
