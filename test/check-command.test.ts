// `aloft check` as a user runs it: the built CLI over real files.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { it } from "node:test";

const repo = resolve(import.meta.dirname, "..");
const check = (...args: string[]) => {
  const result = spawnSync(process.execPath, [join(repo, "dist/cli.js"), "check", ...args], { cwd: repo, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

it("finds every sample clean", () => {
  const { code, stdout } = check("--json", "samples");
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(stdout), []);
});

it("reports a planted wiring error at its line, 1-based, and exits 1", () => {
  const { code, stdout } = check("--json", "test/fixtures/check");
  assert.equal(code, 1);
  const [diagnostic, ...rest] = JSON.parse(stdout);
  assert.equal(rest.length, 0);
  assert.equal(diagnostic.file, join(repo, "test/fixtures/check/planted.ts"));
  assert.deepEqual([diagnostic.line, diagnostic.column, diagnostic.severity, diagnostic.code], [8, 66, "error", "ALOFT_WIRING_MISMATCH"]);
  assert.equal(diagnostic.message, 'input "data" of task "fit" expects string[] but receives number[] from task "load"');
  assert.ok(diagnostic.endLine >= diagnostic.line && typeof diagnostic.endColumn === "number");
});

it("reports aloft's own rules, naming entity and field", () => {
  const { code, stdout } = check("--json", "test/fixtures/compiler/not-data.ts");
  assert.equal(code, 1);
  const messages = (JSON.parse(stdout) as { code: string; message: string }[]).filter((d) => d.code === "ALOFT_NOT_DATA").map((d) => d.message);
  assert.ok(messages.some((m) => m.startsWith('input "cb" of task "fit" is a function')), messages.join("\n"));
});

it("says which path does not exist", () => {
  const { code, stderr } = check("no/such/dir");
  assert.equal(code, 2);
  assert.match(stderr, /no\/such\/dir: no such file or folder/);
});

it("shows each diagnostic's source line with its range underlined when asked (--pretty), as on a terminal", () => {
  const { code, stdout } = check("--pretty", "test/fixtures/check");
  assert.equal(code, 1);
  const [head, blank, source, underline] = stdout.split("\n");
  assert.equal(head, 'test/fixtures/check/planted.ts:8:66 error ALOFT_WIRING_MISMATCH input "data" of task "fit" expects string[] but receives number[] from task "load"');
  assert.equal(blank, "");
  assert.equal(source, "8 │ export const training = workflow(({ n }: { n: number }) => fit({ data: load({ n }) }));");
  // Under the input that is miswired: "data".
  assert.equal(underline, `  │ ${" ".repeat(65)}~~~~`);
  assert.equal(check("--no-pretty", "--pretty", "test/fixtures/check").stdout, stdout, "the last of --no-pretty and --pretty wins");
});

it("prints one line per diagnostic into a pipe, or with --no-pretty", () => {
  const { stdout } = check("test/fixtures/check");
  assert.equal(stdout, 'test/fixtures/check/planted.ts:8:66 error ALOFT_WIRING_MISMATCH input "data" of task "fit" expects string[] but receives number[] from task "load"\n');
  assert.equal(check("--pretty", "--no-pretty", "test/fixtures/check").stdout, stdout);
  const unknown = check("--prety", "test/fixtures/check");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option --prety for aloft check/);
});

it("writes the sure fixes with --fix, then checks again: a copy of the misspelt fixture ends clean", () => {
  const fixture = join(repo, "test/fixtures/lsp/misspelt.ts");
  // Beside the fixture (and git-ignored there), so that "aloft" resolves as it does for it.
  const dir = mkdtempSync(join(repo, "test/fixtures/lsp/.fixed-"));
  try {
    const copy = join(dir, "misspelt.ts");
    writeFileSync(copy, readFileSync(fixture, "utf8"));
    const { code, stdout, stderr } = check("--fix", "--json", copy);
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), []);
    assert.match(stderr, /^fixed 6 problem\(s\) in 1 file\(s\); checking again$/m);
    const fixed = readFileSync(copy, "utf8");
    for (const written of ["retries: 2", '"cache": { version', "cpu: \"1\"", "fit({ data: load({ n }) })", "fit({ data: dta })", "{ retries: 1 }"]) assert.ok(fixed.includes(written), `${written} in\n${fixed}`);
    assert.deepEqual(check("--fix", copy), { code: 0, stdout: "", stderr: "✓ 0 error(s), 0 warning(s) in 1 workflow file(s)\n" }, "nothing left to fix, nothing written");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
