import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { CompilerDiagnostic } from "../../compiler/diagnostics.ts";
import { applyFixes } from "./apply-fixes.ts";

const at = (file: string, line: number, column: number, endColumn: number, newText: string): CompilerDiagnostic => ({
  file,
  line,
  column,
  endLine: line,
  endColumn,
  severity: "error",
  code: "ALOFT_OPTION_UNKNOWN",
  message: "",
  fix: { title: "", line, column, endLine: line, endColumn, newText },
});

describe("applying fixes", () => {
  it("writes each file's fixes, later ones first, and keeps an overlapping one for the next check", () => {
    const file = join(mkdtempSync(join(tmpdir(), "aloft-fixes-")), "flow.ts");
    const text = "task({ retrys: 1, cahce: {} });\n";
    writeFileSync(file, text);
    const outcome = applyFixes([at(file, 1, 19, 24, "cache"), at(file, 1, 8, 14, "retries"), at(file, 1, 10, 16, "x")], new Map([[file, text]]));
    assert.deepEqual(outcome, { fixed: 2, files: [file], changedMeanwhile: [] });
    assert.equal(readFileSync(file, "utf8"), "task({ retries: 1, cache: {} });\n");
  });

  it("leaves a file that changed since it was checked", () => {
    const file = join(mkdtempSync(join(tmpdir(), "aloft-fixes-")), "flow.ts");
    writeFileSync(file, "task({ retrys: 2 });\n");
    const outcome = applyFixes([at(file, 1, 8, 14, "retries")], new Map([[file, "task({ retrys: 1 });\n"]]));
    assert.deepEqual(outcome, { fixed: 0, files: [], changedMeanwhile: [file] });
    assert.equal(readFileSync(file, "utf8"), "task({ retrys: 2 });\n");
  });
});
