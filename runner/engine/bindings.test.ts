import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { INPUTS_NODE } from "../../compiler/graph.ts";
import { mapItems, resolveBinding, singleNodeGraph } from "./bindings.ts";

describe("bindings", () => {
  const outputs: Record<string, unknown> = { [INPUTS_NODE]: { n: 3 }, load: { rows: [1, 2], name: "a" }, fit: 0.5 };
  const lookup = (node: string) => outputs[node] as never;

  it("resolves refs, fields, literals, lists and records", () => {
    assert.equal(resolveBinding({ ref: { node: INPUTS_NODE, output: "n" } }, lookup, "t"), 3);
    assert.deepEqual(resolveBinding({ ref: { node: "load", output: "rows" } }, lookup, "t"), [1, 2]);
    assert.equal(resolveBinding({ ref: { node: "fit" } }, lookup, "t"), 0.5);
    assert.deepEqual(
      resolveBinding({ record: { xs: { list: [{ ref: { node: "fit" } }, { literal: 1 }] } } }, lookup, "t"),
      { xs: [0.5, 1] },
    );
  });

  it("names the node and field when an output has no such field", () => {
    assert.throws(() => resolveBinding({ ref: { node: "fit", output: "score" } }, lookup, 'node "x"'), /node "x" reads output "score" of node "fit"/);
  });

  it("splits map inputs into items, passing fixed inputs whole", () => {
    assert.deepEqual(mapItems({ x: [1, 2], k: 10 }, ["k"], "m"), [
      { x: 1, k: 10 },
      { x: 2, k: 10 },
    ]);
    assert.throws(() => mapItems({ x: [1, 2], y: [1] }, [], "m"), /different lengths/);
    assert.throws(() => mapItems({ x: 5 }, [], "m"), /must be a list/);
    assert.deepEqual(mapItems({ x: [] }, [], "m"), []);
  });

  it("wraps a single task in a one-node graph fed by the inputs", () => {
    const graph = singleNodeGraph("fit", "task", ["data"]);
    assert.deepEqual(graph.nodes[0]?.inputs, { data: { ref: { node: INPUTS_NODE, output: "data" } } });
    assert.deepEqual(graph.output, { ref: { node: "fit" } });
  });
});
