// TypeScript's errors of files read together come from one request for the
// whole program (when the files are most of it); read one by one, each file's
// come from its own request. Both must give every file the same diagnostics.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, it } from "node:test";
import { readEntities, readEntitiesOfFiles } from "./interfaces.ts";
import { TypeScriptSession } from "./ts-api.ts";
import { TsgoConnection } from "./tsgo-connection.ts";

const repo = resolve(import.meta.dirname, "..");
const sources: Record<string, string> = {
  "wiring.ts": [
    `import { task, workflow } from "aloft";`,
    `export const load = task(async ({ n }: { n: number }): Promise<number[]> => [n]);`,
    `export const fit = task(async ({ data }: { data: string[] }): Promise<number> => data.length);`,
    `export const flow = workflow(({ n }: { n: number }) => fit({ data: load({ n }) }));`,
    `const broken: number = "x";`,
  ].join("\n"),
  "rules.ts": [
    `import { task, workflow } from "aloft";`,
    `import { load } from "./wiring.ts";`,
    `export { load };`,
    `export const half = task(async ({ x }: { x: number }): Promise<number> => x / 2);`,
    `export const branchy = workflow(({ n }: { n: number }) => (n > 1 ? half({ x: n }) : half({ x: 1 })));`,
    `export const missing = task(async ({ x }: { x: number }): Promise<number> => x + undefinedName);`,
  ].join("\n"),
  "clean.ts": [`import { task } from "aloft";`, `export const id = task(async ({ s }: { s: string }): Promise<string> => s);`].join("\n"),
  "not-a-workflow.ts": `export const wrong: string = 1;\n`,
};

let dir: string;
let session: TypeScriptSession;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "aloft-type-errors-"));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, module: "preserve", moduleResolution: "bundler", allowImportingTsExtensions: true, noEmit: true, skipLibCheck: true, target: "es2022" }, include: ["*.ts"] }));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  // `aloft` resolves to this repository, as it does for a user's project.
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repo, join(dir, "node_modules/aloft"), "dir");
  for (const [name, text] of Object.entries(sources)) writeFileSync(join(dir, name), text);
  session = new TypeScriptSession({ cwd: dir });
});
after(() => {
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

it("gives each file the same diagnostics read with the others (whole program) as read alone", () => {
  const files = ["wiring.ts", "rules.ts", "clean.ts"].map((f) => join(dir, f));
  // Which semantic-diagnostics questions each reading asks: with the file named, or not.
  const asked: string[] = [];
  const { send } = TsgoConnection.prototype;
  TsgoConnection.prototype.send = function (this: TsgoConnection, method: string, params: unknown) {
    if (method === "getSemanticDiagnostics") asked.push((params as { file?: string }).file ?? "whole program");
    return send.call(this, method, params);
  };
  let together, alone;
  try {
    together = readEntitiesOfFiles(files, session);
    assert.deepEqual(asked.splice(0), ["whole program"]);
    alone = files.map((f) => readEntities(f, session));
    assert.deepEqual(asked, files);
  } finally {
    TsgoConnection.prototype.send = send;
  }
  files.forEach((file, i) => assert.deepEqual(together[i]!.diagnostics, alone[i]!.diagnostics, file));
  const codes = (i: number) => together[i]!.diagnostics.filter((d) => d.file === files[i]).map((d) => d.code);
  assert.deepEqual(codes(0), ["ALOFT_WIRING_MISMATCH", "TS2322"]);
  assert.ok(codes(1).includes("TS2552") && codes(1).includes("ALOFT_BRANCHES_ON_OUTPUT"), codes(1).join(", "));
  assert.deepEqual(codes(2), []);
  // The program's other file has an error of its own, which no reading reports.
  assert.ok(together.every((r) => r.diagnostics.every((d) => !d.file.endsWith("not-a-workflow.ts"))));
});

it("answers other questions while type errors are computed, and drops the answers nobody collects", () => {
  const opened = session.open(join(dir, "wiring.ts"));
  const abandoned = session.semanticDiagnosticsLater(opened.project);
  const pending = session.semanticDiagnosticsLater(opened.project, opened.file);
  abandoned.abandon();
  // Questions asked meanwhile get their own answers, whatever comes back first.
  assert.equal(opened.checker.getSymbolAtLocation(opened.sourceFile)?.name, `"${opened.file.replace(/\.ts$/, "")}"`);
  assert.deepEqual(pending.collect().map((d) => d.code), [2322, 2322]);
  assert.deepEqual(readEntities(opened.file, session).diagnostics.map((d) => d.code), ["ALOFT_WIRING_MISMATCH", "TS2322"]);
});
