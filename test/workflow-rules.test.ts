// Each fixture under test/fixtures/rules marks the lines that must be flagged
// (`// expect CODE, CODE`); every other line must stay silent. A rule that
// fires on correct code, or misses, or lands on another line fails here.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readEntities } from "../compiler/interfaces.ts";
import { TypeScriptSession } from "../compiler/ts-api.ts";

const dir = join(import.meta.dirname, "fixtures/rules");
const fixtures = readdirSync(dir).filter((f) => f.endsWith(".ts") && /expect [A-Z]/.test(readFileSync(join(dir, f), "utf8")));

function expectedCodes(text: string): Map<number, string[]> {
  const expected = new Map<number, string[]>();
  text.split("\n").forEach((line, i) => {
    const marker = /\/\/ expect ((?:[A-Z0-9_]+(?:, )?)+)\s*$/.exec(line);
    if (marker) expected.set(i + 1, marker[1]!.split(", ").sort());
  });
  return expected;
}

describe("workflow rules", () => {
  let session: TypeScriptSession;
  before(() => (session = new TypeScriptSession()));
  after(() => session.close());

  for (const fixture of fixtures) {
    it(`flags exactly the marked lines of ${fixture}`, () => {
      const file = join(dir, fixture);
      const { diagnostics } = readEntities(file, session);
      const actual = new Map<number, string[]>();
      for (const d of diagnostics.filter((d) => d.file === file)) actual.set(d.line, [...(actual.get(d.line) ?? []), d.code].sort());
      const expected = expectedCodes(readFileSync(file, "utf8"));
      const lines = [...new Set([...actual.keys(), ...expected.keys()])].sort((a, b) => a - b);
      const differences = lines
        .filter((line) => JSON.stringify(actual.get(line) ?? []) !== JSON.stringify(expected.get(line) ?? []))
        .map((line) => `line ${line}: expected [${expected.get(line)?.join(", ") ?? ""}], got [${actual.get(line)?.join(", ") ?? ""}]`);
      assert.deepEqual(differences, [], diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join("\n"));
    });
  }

  it("names the entity, the input and both types in a miswiring", () => {
    const { diagnostics } = readEntities(join(import.meta.dirname, "fixtures/type-errors/wiring.ts"), session);
    const messages = diagnostics.map((d) => `${d.code} ${d.message}`);
    for (const expected of [
      'ALOFT_WIRING_MISMATCH input "data" of task "fit" expects string[] but receives number[] from task "load"',
      'ALOFT_WIRING_MISMATCH input "n" of task "load" expects number but receives "3"',
      'ALOFT_UNKNOWN_INPUT task "stats" has no input "ys"; its inputs are "xs"',
      'ALOFT_MISSING_INPUT task "scale" needs input "k" (number), which this call does not pass',
      'ALOFT_WIRING_MISMATCH input "text" of task "label" expects string but receives number from output "mean" of task "stats"',
      'ALOFT_WIRING_MISMATCH input "text" of map over task "label" expects string[] (one string per item, or fixed(text) for all) but receives number[] from task "load"',
    ]) {
      assert.ok(messages.includes(expected), `missing: ${expected}\n got:\n${messages.join("\n")}`);
    }
  });
});
