// Input an editor can send that the server cannot fully serve: it must keep
// running and say what it could not do.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, it } from "node:test";
import { DiagnosticSeverity, MessageType } from "vscode-languageserver-protocol";
import { LspClient, rangeOf, repo, uriOf } from "./lsp-client.ts";

const PLANTED = "test/fixtures/check/planted.ts";
const plantedText = readFileSync(join(repo, PLANTED), "utf8");

let client: LspClient;
const temporary: string[] = [];
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
  try {
    assert.deepEqual(client.protocolErrors, []);
    assert.equal(await client.stop(), 0);
  } finally {
    client.kill();
  }
});

/** Opens `text` as `uri` and waits for its first diagnostics. */
async function openAndCheck(uri: string, text: string, timeoutMs?: number) {
  const since = client.published.length;
  await client.open("", text, uri);
  return client.diagnostics(uri, () => true, { since, ...(timeoutMs ? { timeoutMs } : {}) });
}

it("reports where a file stops parsing, and still reads the entities before it", async () => {
  const uri = uriOf("test/fixtures/lsp/does-not-parse.ts");
  const text = readFileSync(join(repo, "test/fixtures/lsp/does-not-parse.ts"), "utf8");
  const { diagnostics } = await openAndCheck(uri, text);
  assert.ok(diagnostics.length > 0);
  assert.ok(diagnostics.every((d) => /^TS1\d{3}$/.test(String(d.code)) && d.severity === DiagnosticSeverity.Error), JSON.stringify(diagnostics));
  assert.equal(diagnostics[0]!.range.start.line, 5);
  const lenses = (await client.codeLenses(uri)) ?? [];
  assert.deepEqual([...new Set(lenses.map((l) => (l.command?.arguments?.[0] as { entity: string }).entity))], ["count", "broken"]);
  const graph = await client.graph(uri, "broken");
  assert.ok("error" in graph);
  assert.match(graph.error, /workflow "broken" in .*does-not-parse\.ts has no static graph: .*; the file has 2 errors, the first at line 6: Expression expected/);
  await client.close(uri);
});

it("checks a file no tsconfig.json covers with aloft's default options", async () => {
  const project = mkdtempSync(join(tmpdir(), "aloft-lsp-no-tsconfig-"));
  temporary.push(project);
  mkdirSync(join(project, "node_modules"));
  symlinkSync(repo, join(project, "node_modules", "aloft"), "dir");
  const file = join(project, "flow.ts");
  writeFileSync(file, plantedText);
  const { diagnostics } = await openAndCheck(pathToFileURL(file).href, plantedText);
  assert.deepEqual(
    diagnostics.map((d) => [d.range.start, d.severity]),
    [[{ line: 7, character: 65 }, DiagnosticSeverity.Error]],
  );
  assert.match(diagnostics[0]!.message, /number\[\].*string\[\]|string\[\].*number\[\]/s);
  await client.close(pathToFileURL(file).href);
});

it("says that aloft cannot be found for a file outside any project", async () => {
  const outside = mkdtempSync(join(tmpdir(), "aloft-lsp-outside-"));
  temporary.push(outside);
  const file = join(outside, "flow.ts");
  writeFileSync(file, plantedText);
  const uri = pathToFileURL(file).href;
  const { diagnostics } = await openAndCheck(uri, plantedText);
  const missing = diagnostics.find((d) => /Cannot find module 'aloft'|cannot find the aloft SDK/.test(d.message));
  assert.ok(missing, JSON.stringify(diagnostics));
  assert.equal(missing.severity, DiagnosticSeverity.Error);
  assert.deepEqual(missing.range, rangeOf(plantedText, '"aloft"'));
  assert.deepEqual(await client.codeLenses(uri), []);
  await client.close(uri);
});

it("tells an untitled document why it is not checked, and answers its requests with nothing", async () => {
  const uri = "untitled:Untitled-1";
  const { diagnostics } = await openAndCheck(uri, plantedText);
  assert.equal(diagnostics.length, 1);
  assert.equal(diagnostics[0]!.severity, DiagnosticSeverity.Information);
  assert.equal(diagnostics[0]!.code, "ALOFT_NOT_CHECKED");
  assert.match(diagnostics[0]!.message, /untitled:Untitled-1 is not saved yet: .*save it as a \.ts file/);
  assert.deepEqual(await client.codeLenses(uri), []);
  assert.equal(await client.hover(uri, rangeOf(plantedText, "training").start), null);
  const graph = await client.graph(uri, "training");
  assert.ok("error" in graph && /untitled:Untitled-1 is not saved yet/.test(graph.error), JSON.stringify(graph));
  await client.close(uri);
});

it("checks a 10,000-line file and keeps serving other documents", async () => {
  const uri = uriOf("test/fixtures/lsp/generated-large.ts");
  const lines = ['import { task, workflow } from "aloft";', ""];
  for (let i = 0; i < 1000; i++) {
    lines.push(`/** Step ${i}. */`, `export const step${i} = task(async ({ value }: { value: number }): Promise<number> => {`, "  const doubled = value * 2;", `  const shifted = doubled + ${i};`, '  if (shifted < 0) throw new Error("negative");', "  return shifted;", "});", "", "", "");
  }
  lines.push("export const chain = workflow(({ value }: { value: number }) => step2({ value: step1({ value: step0({ value }) }) }));", "export const broken: string = 1;");
  assert.ok(lines.length > 10_000);
  const { diagnostics } = await openAndCheck(uri, lines.join("\n"), 120_000);
  assert.deepEqual(
    diagnostics.map((d) => [d.range.start.line, d.code]),
    [[lines.length - 1, "TS2322"]],
  );
  const lenses = (await client.codeLenses(uri)) ?? [];
  // Each task: run, run remote, debug; the workflow: those and its graph.
  assert.equal(lenses.length, 1000 * 3 + 4);
  const graph = await client.graph(uri, "chain");
  assert.ok("graph" in graph && graph.graph.nodes.length === 3, JSON.stringify(graph).slice(0, 300));

  const small = uriOf(PLANTED);
  const { diagnostics: planted } = await openAndCheck(small, plantedText);
  assert.equal(planted.length, 1);
  await client.close(small);
  await client.close(uri);
});

it("restarts the TypeScript process when it dies, says so, and checks the edit", async () => {
  const uri = uriOf(PLANTED);
  await openAndCheck(uri, plantedText);
  const tsgo = typescriptProcesses(client.child.pid!);
  assert.equal(tsgo.length, 1, "one TypeScript process serves the server");
  process.kill(tsgo[0]!, "SIGKILL");

  const said = client.message(/TypeScript checker stopped .*restarted it and checked .*planted\.ts again/);
  const version = await client.change(uri, { range: rangeOf(plantedText, "data: string[]"), text: "data: number[]" });
  const fixed = await client.diagnostics(uri, (p) => p.version === version);
  assert.deepEqual(fixed.diagnostics, []);
  assert.equal((await said).type, MessageType.Warning);
  assert.ok(client.shown.some((m) => /TypeScript checker stopped/.test(m.message)), "the user is shown the restart, not only the log");
  const restarted = typescriptProcesses(client.child.pid!);
  assert.equal(restarted.length, 1);
  assert.notEqual(restarted[0], tsgo[0]);

  const again = await client.change(uri, { range: rangeOf(plantedText, "data: string[]"), text: "data: string[]" });
  assert.equal((await client.diagnostics(uri, (p) => p.version === again)).diagnostics.length, 1);
  await client.close(uri);
});

it("answers requests about documents it does not know, and ignores their edits", async () => {
  const unknown = uriOf("samples/fraud/training.ts");
  const logged = client.message(/textDocument\/codeLens for .*training\.ts: the document is not open/);
  assert.deepEqual(await client.codeLenses(unknown), []);
  await logged;
  assert.equal(await client.hover(unknown, { line: 20, character: 16 }), null);
  assert.equal(await client.hover("not a uri", { line: 0, character: 0 }), null);
  await client.change(unknown, { text: "export const nothing = 1;\n" });
  await client.close(unknown);

  const missing = await client.graph(uriOf("test/fixtures/lsp/no-such-file.ts"), "flow");
  assert.ok("error" in missing && /cannot read .*no-such-file\.ts/.test(missing.error), JSON.stringify(missing));
  const badParams = await client.connection.sendRequest("aloft/graph", { uri: 42 });
  assert.match((badParams as { error: string }).error, /aloft\/graph wants \{ uri, entity \}/);

  // Still serving.
  const { diagnostics } = await openAndCheck(uriOf(PLANTED), plantedText);
  assert.equal(diagnostics.length, 1);
  await client.close(uriOf(PLANTED));
});

/** The TypeScript (`tsgo --api`) processes the server started. */
function typescriptProcesses(serverPid: number): number[] {
  const children = readFileSync(`/proc/${serverPid}/task/${serverPid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes("--api");
    } catch {
      return false;
    }
  });
}
