import assert from "node:assert/strict";
import { it } from "node:test";
import { fromLspPosition, identifierAt, nameOnLine, toLspRange } from "./positions.ts";

it("turns the compiler's 1-based, end-exclusive positions into LSP's 0-based ones", () => {
  assert.deepEqual(toLspRange({ line: 8, column: 66, endLine: 8, endColumn: 70 }), { start: { line: 7, character: 65 }, end: { line: 7, character: 69 } });
  assert.deepEqual(toLspRange({ line: 1, column: 1, endLine: 2, endColumn: 1 }), { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } });
  assert.deepEqual(fromLspPosition({ line: 7, character: 65 }), { line: 8, column: 66 });
});

it("never gives a negative position, whatever the compiler says", () => {
  assert.deepEqual(toLspRange({ line: 0, column: 0, endLine: 0, endColumn: 0 }), { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
});

it("finds the identifier under a position, at its start, middle and end", () => {
  const text = "const model = trainIterative({ batches });";
  const start = text.indexOf("trainIterative");
  for (const offset of [start, start + 5, start + "trainIterative".length]) {
    assert.deepEqual(identifierAt(text, offset), { name: "trainIterative", start, end: start + "trainIterative".length });
  }
  assert.equal(identifierAt(text, text.indexOf("= ") + 1), undefined);
  assert.equal(identifierAt("x = 42", 5), undefined, "a number is no identifier");
  assert.deepEqual(identifierAt("$émile_2", 3), { name: "$émile_2", start: 0, end: 8 });
  assert.equal(identifierAt("", 4), undefined);
});

it("places a name on its line as a whole word, or at the line start when it is not written there", () => {
  const text = "// prepare\r\nexport const prepareBatches = task(\nexport * from './other.ts';";
  assert.deepEqual(nameOnLine(text, 2, "prepare"), { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } });
  assert.deepEqual(nameOnLine(text, 2, "prepareBatches"), { start: { line: 1, character: 13 }, end: { line: 1, character: 27 } });
  assert.deepEqual(nameOnLine(text, 3, "fromOther"), { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } });
  assert.deepEqual(nameOnLine(text, 99, "x").start.line, 2, "a line past the end stays in the document");
});
