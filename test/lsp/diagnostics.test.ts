// Diagnostics as an editor sees them: pushed after each edit, of the latest text only.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, it } from "node:test";
import { DiagnosticSeverity, DidChangeWatchedFilesNotification, FileChangeType } from "vscode-languageserver-protocol";
import { LspClient, positionAt, rangeOf, repo, uriOf } from "./lsp-client.ts";

const PLANTED = "test/fixtures/check/planted.ts";
const plantedText = readFileSync(join(repo, PLANTED), "utf8");

let client: LspClient;
before(async () => {
  client = await LspClient.start();
});
after(async () => {
  try {
    assert.deepEqual(client.protocolErrors, [], "the server wrote something other than LSP messages to stdout");
    assert.equal(await client.stop(), 0);
  } finally {
    client.kill();
  }
});

it("publishes a planted wiring error, 0-based, then clears it once an edit fixes it", async () => {
  const uri = uriOf(PLANTED);
  const since = client.published.length;
  await client.open(PLANTED);
  const first = await client.diagnostics(uri, () => true, { since });
  assert.equal(first.version, 1);
  assert.equal(first.diagnostics.length, 1, JSON.stringify(first.diagnostics));
  const [planted] = first.diagnostics;
  // planted.ts line 8, column 66 in `aloft check`'s 1-based terms.
  assert.deepEqual(planted!.range.start, { line: 7, character: 65 });
  assert.equal(planted!.severity, DiagnosticSeverity.Error);
  assert.equal(planted!.source, "aloft");
  assert.match(String(planted!.code), /^(TS\d+|ALOFT_[A-Z_]+)$/);
  assert.match(planted!.message, /number\[\].*string\[\]|string\[\].*number\[\]/s);

  // `fit` takes the numbers `load` gives.
  const version = await client.change(uri, { range: rangeOf(plantedText, "data: string[]"), text: "data: number[]" });
  const fixed = await client.diagnostics(uri, (p) => p.version === version);
  assert.deepEqual(fixed.diagnostics, []);
  await client.close(uri);
});

it("ends a burst of keystrokes with the diagnostics of the last text, and publishes nothing older after them", async () => {
  const uri = uriOf("test/fixtures/lsp/typed-fast.ts");
  const base = plantedText.replace("data: string[]", "data: number[]");
  const since = client.published.length;
  await client.open("test/fixtures/lsp/typed-fast.ts", base, uri);
  await client.diagnostics(uri, (p) => p.version === 1, { since });

  // Typed one character at a time, as fast as the pipe takes them, with a
  // short pause now and then so that checks start while keystrokes still come
  // in. Every prefix but the last is a syntax error or a different type error.
  const typed = "\nexport const label: string = 42;\n";
  let text = base;
  let version = 1;
  for (const [index, char] of [...typed].entries()) {
    version = await client.change(uri, { range: { start: positionAt(text, text.length), end: positionAt(text, text.length) }, text: char });
    text += char;
    if (index % 6 === 5) await new Promise((resolve) => setTimeout(resolve, 40));
  }
  const last = await client.diagnostics(uri, (p) => p.version === version);
  assert.deepEqual(
    last.diagnostics.map((d) => [d.range.start, d.code]),
    [[rangeOf(text, "label").start, "TS2322"]],
  );

  await new Promise((resolve) => setTimeout(resolve, 500));
  const burst = client.published.slice(since).filter((p) => p.uri === uri && p.version! > 1);
  assert.equal(burst[burst.length - 1], last, "something was published after the diagnostics of the last version");
  const versions = burst.map((p) => p.version!);
  assert.deepEqual(versions, [...versions].sort((a, b) => a - b), `published out of order: ${versions.join(", ")}`);
  assert.ok(burst.length < typed.length, `${burst.length} checks for ${typed.length} keystrokes: edits were not coalesced`);
  await client.close(uri);
});

it("checks an open document again when a file it imports is edited, unsaved", async () => {
  const taskUri = uriOf("test/fixtures/lsp/shared-task.ts");
  const workflowUri = uriOf("test/fixtures/lsp/uses-shared-task.ts");
  const since = client.published.length;
  await client.open("test/fixtures/lsp/uses-shared-task.ts");
  await client.open("test/fixtures/lsp/shared-task.ts");
  const clean = await client.diagnostics(workflowUri, () => true, { since });
  assert.deepEqual(clean.diagnostics, []);
  await client.diagnostics(taskUri, () => true, { since });

  const taskText = readFileSync(join(repo, "test/fixtures/lsp/shared-task.ts"), "utf8");
  const mark = client.published.length;
  await client.change(taskUri, { range: rangeOf(taskText, "n: number }"), text: "n: string }" });
  const broken = await client.diagnostics(workflowUri, (p) => p.diagnostics.length > 0, { since: mark });
  assert.equal(broken.version, 1, "the workflow document itself was not edited");
  assert.ok(broken.diagnostics.every((d) => d.severity === DiagnosticSeverity.Error && d.source === "aloft"));
  assert.match(broken.diagnostics.map((d) => d.message).join("\n"), /string/);

  const mended = client.published.length;
  await client.change(taskUri, { range: rangeOf(taskText.replace("n: number }", "n: string }"), "n: string }"), text: "n: number }" });
  await client.diagnostics(workflowUri, (p) => p.diagnostics.length === 0, { since: mended });
  await client.close(taskUri);
  await client.close(workflowUri);
});

it("clears a document's diagnostics when it closes", async () => {
  const uri = uriOf(PLANTED);
  const since = client.published.length;
  await client.open(PLANTED);
  await client.diagnostics(uri, (p) => p.diagnostics.length === 1, { since });
  await client.close(uri);
  await client.diagnostics(uri, (p) => p.diagnostics.length === 0 && p.version === undefined, { since });
});

it("watches files when the editor can, and checks open documents again when one appears on disk", async () => {
  const watching = await LspClient.start({ watchFiles: true });
  const project = mkdtempSync(join(tmpdir(), "aloft-lsp-watch-"));
  try {
    mkdirSync(join(project, "node_modules"));
    symlinkSync(repo, join(project, "node_modules", "aloft"), "dir");
    const flow = join(project, "flow.ts");
    const text = 'import { workflow } from "aloft";\nimport { double } from "./helper.ts";\nexport { double };\nexport const twice = workflow(({ n }: { n: number }) => double({ n }));\n';
    writeFileSync(flow, text);
    const uri = pathToFileURL(flow).href;
    await watching.open("", text, uri);
    const missing = await watching.diagnostics(uri, (p) => p.diagnostics.length > 0, { since: 0 });
    assert.match(missing.diagnostics.map((d) => d.message).join("\n"), /helper\.ts/);
    assert.deepEqual(watching.registrations.map((r) => r.method), ["workspace/didChangeWatchedFiles"]);

    const helper = join(project, "helper.ts");
    writeFileSync(helper, 'import { task } from "aloft";\nexport const double = task(async ({ n }: { n: number }) => n * 2);\n');
    const since = watching.published.length;
    await watching.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: pathToFileURL(helper).href, type: FileChangeType.Created }] });
    const found = await watching.diagnostics(uri, () => true, { since });
    assert.deepEqual(found.diagnostics, []);
    assert.equal(found.version, 1);
    assert.equal(await watching.stop(), 0);
  } finally {
    watching.kill();
    rmSync(project, { recursive: true, force: true });
  }
});

it("offers a misspelt option's and input's rename as a quick fix, from the latest text", async () => {
  const path = "test/fixtures/lsp/misspelt.ts";
  const text = readFileSync(join(repo, path), "utf8");
  const uri = uriOf(path);
  const since = client.published.length;
  await client.open(path);
  const published = await client.diagnostics(uri, (p) => p.diagnostics.some((d) => d.code === "ALOFT_OPTION_UNKNOWN"), { since });
  const retrys = rangeOf(text, "retrys");
  const actions = (await client.codeActions(uri, retrys, published.diagnostics.filter((d) => d.range.start.line === retrys.start.line))) ?? [];
  assert.deepEqual(
    actions.map((a) => ("edit" in a ? { title: a.title, kind: a.kind, preferred: a.isPreferred, edit: a.edit?.changes?.[uri] } : a)),
    [{ title: 'Change "retrys" to "retries"', kind: "quickfix", preferred: true, edit: [{ range: retrys, newText: "retries" }] }],
  );
  const shorthand = rangeOf(text, "{ dta }");
  const [pass] = (await client.codeActions(uri, shorthand, [])) ?? [];
  assert.deepEqual(pass && "edit" in pass ? pass.edit?.changes?.[uri] : pass, [{ range: rangeOf(text, "dta", text.indexOf("{ dta }")), newText: "data: dta" }]);
  assert.deepEqual(await client.codeActions(uri, retrys, [], ["refactor"]), [], "only quick fixes are offered");

  // Once the text is fixed by hand, nothing is offered there, whatever the editor still shows.
  const at = text.indexOf("retrys");
  await client.change(uri, { range: { start: positionAt(text, at), end: positionAt(text, at + "retrys".length) }, text: "retries" });
  assert.deepEqual(await client.codeActions(uri, retrys, published.diagnostics), []);
  await client.close(uri);
});
