import assert from "node:assert/strict";
import { it } from "node:test";
import type { Graph } from "../../server/protocol.ts";
import { layoutGraph, OUTPUT_BOX } from "./graph-layout.ts";

/** fraud/training.ts's trainingWorkflow, as `aloft graph --format json` prints it. */
const training: Graph = {
  entity: "trainingWorkflow",
  inputs: ["data"],
  nodes: [
    { id: "prepareBatches", entity: "prepareBatches", kind: "task", inputs: { data: { ref: { node: "$inputs", output: "data" } } } },
    { id: "trainIterative", entity: "trainIterative", kind: "dynamic", inputs: { batches: { ref: { node: "prepareBatches" } } } },
    { id: "evaluate", entity: "evaluate", kind: "task", inputs: { model: { ref: { node: "trainIterative" } }, data: { ref: { node: "$inputs", output: "data" } } } },
  ],
  output: { record: { model: { ref: { node: "trainIterative" } }, metrics: { ref: { node: "evaluate" } } } },
};

it("draws a box per node, the inputs and the output, with an edge per upstream read", () => {
  const layout = layoutGraph(training);
  assert.deepEqual(layout.boxes.map((b) => [b.id, b.label, b.detail]), [
    ["$inputs", "inputs", "data"],
    ["prepareBatches", "prepareBatches", "task prepareBatches"],
    ["trainIterative", "trainIterative", "dynamic trainIterative"],
    ["evaluate", "evaluate", "task evaluate"],
    [OUTPUT_BOX, "output", "trainingWorkflow"],
  ]);
  assert.deepEqual(layout.edges.map((e) => [e.from, e.to, e.label]), [
    ["$inputs", "prepareBatches", "data"],
    ["prepareBatches", "trainIterative", "batches"],
    ["trainIterative", "evaluate", "model"],
    ["$inputs", "evaluate", "data"],
    ["trainIterative", OUTPUT_BOX, "model"],
    ["evaluate", OUTPUT_BOX, "metrics"],
  ]);
});

it("places each node below what it reads, without overlaps, inside the drawing", () => {
  const layout = layoutGraph(training);
  const box = (id: string) => layout.boxes.find((b) => b.id === id)!;
  for (const edge of layout.edges) assert.ok(box(edge.from).y < box(edge.to).y, `${edge.from} is not above ${edge.to}`);
  for (const a of layout.boxes) {
    assert.ok(a.x - a.width / 2 >= 0 && a.x + a.width / 2 <= layout.width && a.y + a.height / 2 <= layout.height, `${a.id} is outside the drawing`);
    for (const b of layout.boxes) {
      if (a === b) continue;
      const apart = Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
      assert.ok(apart, `${a.id} overlaps ${b.id}`);
    }
  }
  for (const edge of layout.edges) assert.ok(edge.points.length >= 2, `edge ${edge.from} → ${edge.to} has no route`);
});

it("draws a workflow without inputs, whose output is one node's", () => {
  const layout = layoutGraph({ entity: "w", inputs: [], nodes: [{ id: "t", entity: "t", kind: "task", inputs: { n: { literal: 3 } } }], output: { ref: { node: "t" } } });
  assert.deepEqual(layout.boxes.map((b) => b.id), ["t", OUTPUT_BOX]);
  assert.deepEqual(layout.edges.map((e) => [e.from, e.to, e.label]), [["t", OUTPUT_BOX, ""]]);
});
