// tsc itself must reject a miswired workflow: the SDK's types are the first
// line of defence, before aloft's own checker.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { it } from "node:test";

const repo = resolve(import.meta.dirname, "..");
const fixtureDir = join(repo, "test/fixtures/type-errors");

it("tsc rejects exactly the miswired lines of the type fixture", () => {
  const expected = new Map<number, string>();
  readFileSync(join(fixtureDir, "wiring.ts"), "utf8")
    .split("\n")
    .forEach((line, i) => {
      const match = /\/\/ expect (TS\d+)/.exec(line);
      if (match) expected.set(i + 1, match[1]!);
    });
  assert.ok(expected.size >= 7);
  const tsc = spawnSync(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", join(fixtureDir, "tsconfig.json"), "--noEmit"], { encoding: "utf8", cwd: repo });
  const found = new Map<number, string>();
  for (const match of tsc.stdout.matchAll(/wiring\.ts\((\d+),\d+\): error (TS\d+)/g)) found.set(Number(match[1]), match[2]!);
  assert.deepEqual([...found].sort(), [...expected].sort(), tsc.stdout);
});
