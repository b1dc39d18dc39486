// `aloft check`'s own way of reading files: tsgo started ahead and reading the
// disk itself (no file-system callbacks), restarted with them when a file
// needs a synthesized project after all. It must report what a session of
// the language server's kind (callbacks from the start) reports.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, it } from "node:test";
import { checkFiles } from "./check-files.ts";
import type { CompilerDiagnostic } from "./diagnostics.ts";
import { readEntitiesOfFiles } from "./interfaces.ts";
import { TypeScriptSession } from "./ts-api.ts";
import { startTsgo } from "./tsgo-start.ts";

const repo = resolve(import.meta.dirname, "..");
const miswired = (name: string) =>
  [
    `import { task, workflow } from "aloft";`,
    `export const double${name} = task(async ({ x }: { x: number }): Promise<number> => x * 2);`,
    `export const flow${name} = workflow(({ x }: { x: string }) => double${name}({ x }));`,
  ].join("\n");
const OPTIONS = { strict: true, module: "preserve", moduleResolution: "bundler", allowImportingTsExtensions: true, noEmit: true, skipLibCheck: true, target: "es2022" };

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "aloft-check-files-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repo, join(dir, "node_modules/aloft"), "dir");
  // `project/` has a tsconfig.json that leaves `excluded.ts` out; `lone/` has none above it.
  mkdirSync(join(dir, "project"));
  writeFileSync(join(dir, "project/tsconfig.json"), JSON.stringify({ compilerOptions: OPTIONS, files: ["flow.ts", "other.ts"] }));
  for (const name of ["flow", "other", "excluded"]) writeFileSync(join(dir, `project/${name}.ts`), miswired(name));
  mkdirSync(join(dir, "lone"));
  writeFileSync(join(dir, "lone/flow.ts"), miswired("Lone"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** What a language-server session (overlays served, callbacks from the start) reports for `files`. */
function servedReading(files: string[]): CompilerDiagnostic[] {
  const session = new TypeScriptSession({ cwd: dir });
  try {
    return readEntitiesOfFiles(files, session).flatMap((reading, i) => reading.diagnostics.filter((d) => d.file === files[i]));
  } finally {
    session.close();
  }
}

it("reports from a tsgo started ahead what a served session reports, a file its tsconfig leaves out included", () => {
  const files = ["flow", "other", "excluded"].map((name) => join(dir, `project/${name}.ts`));
  const started = startTsgo(files, dir);
  assert.ok(started, "every file has a tsconfig.json above it");
  const diagnostics = checkFiles(files, { cwd: dir, started });
  assert.deepEqual(
    diagnostics.map((d) => [d.file, d.line, d.code]),
    files.map((file) => [file, 3, "ALOFT_WIRING_MISMATCH"]),
  );
  assert.deepEqual(diagnostics, servedReading(files));
});

it("checks a file no tsconfig.json includes without a tsgo started ahead", () => {
  const files = [join(dir, "lone/flow.ts")];
  assert.equal(startTsgo(files, dir), undefined);
  const diagnostics = checkFiles(files, { cwd: dir });
  assert.deepEqual(
    diagnostics.map((d) => [d.line, d.code]),
    [[3, "ALOFT_WIRING_MISMATCH"]],
  );
  assert.deepEqual(diagnostics, servedReading(files));
});
