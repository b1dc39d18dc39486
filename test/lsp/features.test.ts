// Code lenses, hovers and the graph request on the fraud sample, through a real client.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, it } from "node:test";
import type { MarkupContent } from "vscode-languageserver-protocol";
import { LspClient, positionAt, rangeOf, repo, uriOf } from "./lsp-client.ts";

const TRAINING = "samples/fraud/training.ts";
const trainingFile = join(repo, TRAINING);
const trainingText = readFileSync(trainingFile, "utf8");
const trainingUri = uriOf(TRAINING);

let client: LspClient;
before(async () => {
  client = await LspClient.start();
  await client.open(TRAINING);
});
after(async () => {
  try {
    assert.deepEqual(client.protocolErrors, []);
    assert.equal(await client.stop(), 0);
  } finally {
    client.kill();
  }
});

it("puts run and debug lenses on every entity and a graph lens on workflows and dynamics, with the entity as argument", async () => {
  const lenses = (await client.codeLenses(trainingUri)) ?? [];
  const byLine = lenses.map((l) => `${l.range.start.line + 1} ${l.command?.title} ${l.command?.command}`);
  assert.deepEqual(byLine, [
    "21 ▶ Run locally aloft.runLocally",
    "21 ☁ Run remote aloft.runRemote",
    "21 ● Debug aloft.debug",
    "56 ▶ Run locally aloft.runLocally",
    "56 ☁ Run remote aloft.runRemote",
    "56 ● Debug aloft.debug",
    "73 ▶ Run locally aloft.runLocally",
    "73 ☁ Run remote aloft.runRemote",
    "73 ⎇ Graph aloft.showGraph",
    "73 ● Debug aloft.debug",
    "83 ▶ Run locally aloft.runLocally",
    "83 ☁ Run remote aloft.runRemote",
    "83 ● Debug aloft.debug",
    "104 ▶ Run locally aloft.runLocally",
    "104 ☁ Run remote aloft.runRemote",
    "104 ⎇ Graph aloft.showGraph",
    "104 ● Debug aloft.debug",
  ]);
  const graphLens = lenses[lenses.length - 2]!;
  assert.deepEqual(graphLens.range, declaration("trainingWorkflow"));
  const [argument, ...more] = graphLens.command!.arguments as [{ interface: { output: { kind: string; fields: Record<string, unknown> } } }];
  assert.equal(more.length, 0);
  assert.deepEqual({ ...argument, interface: { ...argument.interface, output: undefined } }, {
    file: trainingFile,
    entity: "trainingWorkflow",
    kind: "workflow",
    interface: { inputs: { data: { type: { kind: "dir" }, optional: false } }, output: undefined },
  });
  assert.equal(argument.interface.output.kind, "record");
  assert.deepEqual(Object.keys(argument.interface.output.fields).sort(), ["metrics", "model"]);
  const taskArgument = lenses[0]!.command!.arguments![0];
  assert.deepEqual(taskArgument, {
    file: trainingFile,
    entity: "prepareBatches",
    kind: "task",
    interface: { inputs: { data: { type: { kind: "dir" }, optional: false }, batchSize: { type: { kind: "number" }, optional: true } }, output: { kind: "dir" } },
  });
});

it("moves the lenses with an unsaved edit, and back", async () => {
  await client.change(trainingUri, { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: "// a new first line\n" });
  assert.equal((await client.codeLenses(trainingUri))?.[0]?.range.start.line, 21);
  await client.change(trainingUri, { range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: "" });
  assert.equal((await client.codeLenses(trainingUri))?.[0]?.range.start.line, 20);
});

it("hovers a workflow's name with its kind, interface and graph in call order", async () => {
  const at = declaration("trainingWorkflow");
  const hover = await client.hover(trainingUri, { line: at.start.line, character: at.start.character + 3 });
  const markdown = (hover?.contents as MarkupContent).value;
  assert.deepEqual(hover?.range, at);
  assert.match(markdown, /\(workflow\) trainingWorkflow\(inputs: \{ data: Dir \}\): \{ model: File; metrics: \{/);
  assert.match(markdown, /3 nodes/);
  const order = [...markdown.matchAll(/^\d+\. \w+ `(\w+)`/gm)].map((m) => m[1]);
  assert.deepEqual(order, ["prepareBatches", "trainIterative", "evaluate"]);
  assert.match(markdown, /dynamic `trainIterative`: batches ← `prepareBatches`/);
  assert.match(markdown, /task `evaluate`: model ← `trainIterative`, data ← input `data`/);
});

it("hovers a call in a workflow body with the callee's interface", async () => {
  const body = trainingText.indexOf("export const trainingWorkflow");
  const call = rangeOf(trainingText, "prepareBatches({ data })", body);
  const hover = await client.hover(trainingUri, call.start);
  assert.match((hover?.contents as MarkupContent).value, /\(task\) prepareBatches\(inputs: \{ data: Dir; batchSize\?: number \}\): Dir/);
  const dynamicHover = await client.hover(trainingUri, rangeOf(trainingText, "trainIterative({", body).start);
  assert.match((dynamicHover?.contents as MarkupContent).value, /\(dynamic\) trainIterative[\s\S]*builds its graph when it runs/);
});

it("hovers nothing on a word that is no entity", async () => {
  assert.equal(await client.hover(trainingUri, rangeOf(trainingText, "DEFAULT_BATCH_SIZE").start), null);
  assert.equal(await client.hover(trainingUri, positionAt(trainingText, trainingText.length)), null);
});

it("answers the graph request with the workflow's static graph", async () => {
  const result = await client.graph(trainingUri, "trainingWorkflow");
  assert.ok("graph" in result, JSON.stringify(result));
  assert.deepEqual(
    result.graph.nodes.map((n) => [n.id, n.kind, Object.keys(n.inputs)]),
    [
      ["prepareBatches", "task", ["data"]],
      ["trainIterative", "dynamic", ["batches"]],
      ["evaluate", "task", ["model", "data"]],
    ],
  );
  assert.deepEqual(result.graph.nodes[1]!.inputs.batches, { ref: { node: "prepareBatches" } });
  assert.deepEqual(result.graph.output, { record: { model: { ref: { node: "trainIterative" } }, metrics: { ref: { node: "evaluate" } } } });
});

it("says why there is no graph: a task, a dynamic, an unknown name", async () => {
  assert.match(errorOf(await client.graph(trainingUri, "evaluate")), /"evaluate" in .*training\.ts is a task, not a workflow/);
  assert.match(errorOf(await client.graph(trainingUri, "trainIterative")), /is a dynamic: it builds its graph when it runs/);
  assert.match(errorOf(await client.graph(trainingUri, "trainingWorkflo")), /exports no entity named "trainingWorkflo"; its workflows: trainingWorkflow$/);
});

it("says which rule a workflow without a static graph breaks", async () => {
  const uri = await client.open("test/fixtures/lsp/rule-breaking.ts");
  const error = errorOf(await client.graph(uri, "branchy"));
  assert.match(error, /workflow "branchy" in .*rule-breaking\.ts has no static graph: /);
  assert.match(error, /the file has 1 error, the first at line 7: workflow "branchy" branches on its input "twice"/);
  await client.close(uri);
});

it("reads the graph of a file the editor has not opened from disk", async () => {
  const result = await client.graph(uriOf("samples/word-stats/word-stats.ts"), "wordStats");
  assert.ok("graph" in result, JSON.stringify(result));
  assert.deepEqual(
    result.graph.nodes.map((n) => [n.id, n.kind]),
    [
      ["listDocuments", "task"],
      ["countWords", "map"],
      ["summarize", "task"],
    ],
  );
});

/** The range of an entity's name where it is declared. */
function declaration(name: string) {
  const at = trainingText.indexOf(`export const ${name} =`) + "export const ".length;
  return { start: positionAt(trainingText, at), end: positionAt(trainingText, at + name.length) };
}

function errorOf(result: { error: string } | { graph: unknown }): string {
  assert.ok("error" in result, `expected an error, got ${JSON.stringify(result).slice(0, 200)}`);
  return result.error;
}
