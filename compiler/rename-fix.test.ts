// The fixes of "did you mean" diagnostics, and the text they leave: the
// fixture checks clean once they are applied.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { it } from "node:test";
import { checkFiles } from "./check-files.ts";
import { lineColumnToOffset, withFixes } from "./diagnostics.ts";

const fixture = resolve(import.meta.dirname, "../test/fixtures/lsp/misspelt.ts");

it("offers the rename a misspelt input or option means, where the key is written", () => {
  const text = readFileSync(fixture, "utf8");
  const all = checkFiles([fixture]);
  // TypeScript's own "may only specify known properties" at the same keys says it again, less well: it is dropped.
  assert.deepEqual(all.filter((d) => d.code === "TS2353" || d.code === "TS2561"), []);
  const found = all.filter((d) => d.code === "ALOFT_UNKNOWN_INPUT" || d.code === "ALOFT_OPTION_UNKNOWN");
  const fixes = found.map((d) => [text.slice(lineColumnToOffset(text, d.line, d.column), lineColumnToOffset(text, d.endLine, d.endColumn)), d.fix && { title: d.fix.title, newText: d.fix.newText }]);
  assert.deepEqual(fixes, [
    ["retrys", { title: 'Change "retrys" to "retries"', newText: "retries" }],
    ['"cahce"', { title: 'Change "cahce" to "cache"', newText: '"cache"' }],
    ["cpus", { title: 'Change "cpus" to "cpu"', newText: "cpu" }],
    ["dat", { title: 'Change "dat" to "data"', newText: "data" }],
    ["dta", { title: 'Change "dta" to "data: dta"', newText: "data: dta" }],
    ["retrys", { title: 'Change "retrys" to "retries"', newText: "retries" }],
  ]);
});

it("leaves the file clean once applied", () => {
  const text = readFileSync(fixture, "utf8");
  const fixes = checkFiles([fixture]).flatMap((d) => (d.fix ? [d.fix] : []));
  const fixed = withFixes(text, fixes).text;
  // Beside the fixture, so that "aloft" resolves as it does for it.
  const copy = resolve(mkdtempSync(resolve(import.meta.dirname, "../test/fixtures/lsp/.fixed-")), "misspelt.ts");
  writeFileSync(copy, fixed);
  try {
    assert.deepEqual(checkFiles([copy]), []);
    assert.equal(fixed.split("\n").length, text.split("\n").length);
  } finally {
    rmSync(resolve(copy, ".."), { recursive: true, force: true });
  }
});
