/**
 * The fix of a "did you mean" diagnostic: a key of an object literal renamed
 * where it is written (in a constant the call reads, or spreads, too). None
 * when the key is written in another file: the diagnostic then stands at the
 * reference in this one, and a fix edits only the file it is reported in.
 */
import { rangeToPositions, type DiagnosticFix } from "./diagnostics.ts";
import { is, type Node, type OpenedFile } from "./ts-api.ts";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function renameKeyFix(opened: OpenedFile, key: Node, to: string): DiagnosticFix | undefined {
  const property = key.parent;
  if (!property || !(is.isPropertyAssignment(property) || is.isShorthandPropertyAssignment(property))) return undefined;
  const { text, sourceFile } = opened;
  const start = key.getStart(sourceFile);
  const name = property.name;
  if (name.getStart(sourceFile) !== start || name.end !== key.end) return undefined;
  const written = text.slice(start, key.end);
  let newText: string;
  if (is.isShorthandPropertyAssignment(property)) {
    // `{ dta }` reads the variable dta: it keeps reading it, under the right key.
    newText = `${keyText(to, '"')}: ${written}`;
  } else if (is.isIdentifier(key)) {
    newText = keyText(to, '"');
  } else if (is.isStringLiteral(key)) {
    newText = keyText(to, written[0] === "'" ? "'" : '"', true);
  } else {
    return undefined;
  }
  return { title: `Change "${written.replace(/^["']|["']$/g, "")}" to "${newText.replace(/^["']|["']$/g, "")}"`, ...rangeToPositions(text, start, key.end), newText };
}

/** `to` as a key: bare when it can be (and was), else quoted as the source quotes. */
function keyText(to: string, quote: string, quoted = false): string {
  if (!quoted && IDENTIFIER.test(to)) return to;
  return `${quote}${to.replace(/\\/g, "\\\\").replaceAll(quote, `\\${quote}`)}${quote}`;
}
