import assert from "node:assert/strict";
import { it } from "node:test";
import type { Graph } from "../compiler/graph.ts";
import type { EntityInterface } from "../compiler/type-spec.ts";
import { describeBinding, graphSummary } from "./graph-summary.ts";
import { entityHover, entityMarkdown } from "./hover.ts";

const graph: Graph = {
  entity: "stats",
  inputs: ["docs"],
  nodes: [
    { id: "list", entity: "list", kind: "task", inputs: { docs: { ref: { node: "$inputs", output: "docs" } } } },
    { id: "count", entity: "count", kind: "map", inputs: { doc: { ref: { node: "list" } }, lower: { literal: true } }, map: { concurrency: 8, fixed: ["lower"] } },
    { id: "list-2", entity: "list", kind: "task", inputs: { docs: { list: [{ ref: { node: "count", output: "total" } }, { literal: "x".repeat(60) }] } } },
  ],
  output: { record: { counts: { ref: { node: "count" } }, again: { ref: { node: "list-2" } } } },
};

it("summarizes a graph: nodes in call order, each input's source, what it returns", () => {
  assert.equal(
    graphSummary(graph),
    [
      "**Graph**: 3 nodes, in call order",
      "",
      "1. task `list`: docs ← input `docs`",
      "2. map of task `count` (concurrency 8, fixed lower): doc ← `list`, lower ← `true`",
      `3. \`list-2\`: task \`list\`: docs ← [\`count.total\`, \`"${"x".repeat(38)}…\`]`,
      "",
      "Returns { counts: `count`, again: `list-2` }",
    ].join("\n"),
  );
  assert.equal(describeBinding({ record: {} }), "{}");
  assert.equal(describeBinding({ literal: undefined }), "`undefined`");
  assert.equal(describeBinding({ ref: { node: "$inputs" } }), "the inputs");
});

const stats: EntityInterface = { name: "stats", kind: "workflow", inputs: { docs: { type: { kind: "dir" }, optional: false } }, output: { kind: "number" }, line: 1 };

it("shows a workflow's interface and its graph, or why it has none", () => {
  const withGraph = entityMarkdown(stats, { graphs: { stats: graph }, graphsUnavailable: {} });
  assert.ok(withGraph.startsWith("```ts\n(workflow) stats(inputs: { docs: Dir }): number\n```\n\n**Graph**: 3 nodes"), withGraph);
  assert.match(entityMarkdown(stats, { graphs: {}, graphsUnavailable: { stats: "it awaits" } }), /No static graph: it awaits\.$/);
  assert.match(entityMarkdown({ ...stats, kind: "dynamic" }, { graphs: {}, graphsUnavailable: {} }), /builds its graph when it runs/);
  assert.equal(entityMarkdown({ ...stats, kind: "task" }, { graphs: {}, graphsUnavailable: {} }), "```ts\n(task) stats(inputs: { docs: Dir }): number\n```");
});

it("hovers only identifiers that name an entity, with the identifier's range", () => {
  const text = "const x = stats({ docs });";
  const source = { text, entities: [stats], graphs: {}, graphsUnavailable: {} };
  const positionAt = (offset: number) => ({ line: 0, character: offset });
  const hover = entityHover(source, text.indexOf("stats") + 2, positionAt);
  assert.deepEqual(hover?.range, { start: { line: 0, character: 10 }, end: { line: 0, character: 15 } });
  assert.equal(entityHover(source, text.indexOf("docs"), positionAt), null);
  assert.equal(entityHover(source, 0, positionAt), null);
});
