import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { codeFrame } from "./diagnostics-format.ts";

// NO_COLOR is not needed: format.ts paints only when stdout is a terminal, which a test's is not.
describe("a diagnostic's code frame", () => {
  const lines = ["const a = 1;", "\tconst total = load({ n }) + 1;", "const b = [", "  1,", "];"];

  it("numbers the line and underlines the range", () => {
    assert.equal(codeFrame(lines, { line: 1, column: 7, endLine: 1, endColumn: 8 }), "1 │ const a = 1;\n  │       ~");
  });

  it("keeps the line's tabs before the underline, so it sits under the range", () => {
    assert.equal(codeFrame(lines, { line: 2, column: 16, endLine: 2, endColumn: 27 }), "2 │ \tconst total = load({ n }) + 1;\n  │ \t              ~~~~~~~~~~~");
  });

  it("underlines to the end of the first line when the range goes on, and one character for an empty range", () => {
    assert.equal(codeFrame(lines, { line: 3, column: 11, endLine: 5, endColumn: 2 }), "3 │ const b = [\n  │           ~");
    assert.equal(codeFrame(lines, { line: 1, column: 13, endLine: 1, endColumn: 13 }), "1 │ const a = 1;\n  │             ~");
  });

  it("is left out when the line is not there (the file changed, or could not be read)", () => {
    assert.equal(codeFrame(lines, { line: 9, column: 1, endLine: 9, endColumn: 2 }), undefined);
    assert.equal(codeFrame(undefined, { line: 1, column: 1, endLine: 1, endColumn: 2 }), undefined);
  });
});
