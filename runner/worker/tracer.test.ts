// The tracer on a real bundle (with its own SDK copy), loaded in this process.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { bundleFixture } from "../../test/fixtures/worker/bundle-fixture.ts";
import type { EntityDefinition } from "../../sdk/entity.ts";
import { runtime } from "../../sdk/runtime.ts";
import { blobCodec } from "./codec.ts";
import { exportedEntities } from "./job-handlers.ts";
import { traceGraph, type TraceInputs } from "./tracer.ts";

describe("tracer", () => {
  let entities: Map<string, EntityDefinition>;
  const dir = mkdtempSync(join(tmpdir(), "aloft-trace-"));
  const codec = blobCodec(join(dir, "blobs"));

  before(async () => {
    const bundle = await bundleFixture("tracing", dir);
    entities = exportedEntities((await import(pathToFileURL(bundle).href)) as Record<string, unknown>);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const trace = (name: string, inputs: TraceInputs = { symbolic: undefined }) => traceGraph(entities.get(name)!, inputs, codec);
  const input = (name: string) => ({ ref: { node: "$inputs", output: name } });
  const node = (id: string, output?: string) => ({ ref: output === undefined ? { node: id } : { node: id, output } });

  it("traces a linear chain with -2, -3 ids for repeated calls", async () => {
    const graph = await trace("chain");
    assert.deepEqual(graph, {
      entity: "chain",
      inputs: ["x"],
      nodes: [
        { id: "double", entity: "double", kind: "task", inputs: { x: input("x") } },
        { id: "double-2", entity: "double", kind: "task", inputs: { x: node("double") } },
        { id: "double-3", entity: "double", kind: "task", inputs: { x: node("double-2") } },
      ],
      output: node("double-3"),
    });
  });

  it("traces fan-out and fan-in through a list binding", async () => {
    const graph = await trace("fanOut");
    assert.deepEqual(graph.nodes.map((n) => n.id), ["double", "double-2", "double-3", "sum"]);
    assert.deepEqual(graph.nodes[1]!.inputs, { x: { literal: 1 } });
    assert.deepEqual(graph.nodes[3]!.inputs, { xs: { list: [node("double"), node("double-2"), node("double-3")] } });
  });

  it("wires named outputs and returns a record binding", async () => {
    const graph = await trace("named");
    assert.deepEqual(graph.nodes[1]!.inputs, { xs: node("load", "rows") });
    assert.deepEqual(graph.output, { record: { total: node("sum"), count: node("load", "count") } });
  });

  it("encodes constants through the type engine", async () => {
    const graph = await trace("constants");
    assert.deepEqual(graph.inputs, []);
    assert.deepEqual(graph.nodes[0]!.inputs, {
      when: { literal: { $date: "2024-01-02T03:04:05.000Z" } },
      tags: { literal: ["a", "b"] },
      opts: { literal: { deep: true } },
    });
    const mixed = await trace("unwiredConstant");
    assert.deepEqual(mixed.nodes[0]!.inputs, { a: input("x"), b: { literal: 1 } });
  });

  it("records a map with its options and fixed inputs", async () => {
    const graph = await trace("mapped");
    assert.deepEqual(graph.nodes, [
      { id: "scale", entity: "scale", kind: "map", inputs: { x: input("xs"), by: input("by") }, map: { fixed: ["by"], concurrency: 2 } },
    ]);
  });

  it("records a sub-workflow call as one node", async () => {
    const graph = await trace("nested");
    assert.deepEqual(graph.nodes, [
      { id: "chain", entity: "chain", kind: "workflow", inputs: { x: input("x") } },
      { id: "chain-2", entity: "chain", kind: "workflow", inputs: { x: { literal: 5 } } },
    ]);
    assert.deepEqual(graph.output, { record: { inner: node("chain"), again: node("chain-2") } });
  });

  it("gives the body a plain object of refs when the input names are known", async () => {
    const graph = await trace("chain", { symbolic: ["x", "unused"] });
    assert.deepEqual(graph.inputs, ["x", "unused"]);
    const whole = await trace("passesInputsWhole", { symbolic: ["x"] });
    assert.deepEqual(whole.nodes[0]!.inputs, { x: input("x") });
  });

  it("expands a dynamic with real inputs, looping over them", async () => {
    const graph = await trace("loops", { real: { n: 3 } });
    assert.deepEqual(graph.nodes.map((n) => n.id), ["double", "add", "add-2", "add-3", "double-2"]);
    assert.deepEqual(graph.nodes[2]!.inputs, { a: node("add"), b: { literal: 2 } });
    assert.deepEqual(graph.output, node("double-2"));
    assert.equal(runtime.tracer, undefined);
  });

  describe("rejects", () => {
    const rejects = async (name: string, code: string, message: RegExp, inputs?: TraceInputs) => {
      await assert.rejects(trace(name, inputs), (error: { info?: { code: string; entity?: string }; message: string }) => {
        assert.equal(error.info?.code, code, error.message);
        assert.match(error.message, message);
        return true;
      });
      assert.equal(runtime.tracer, undefined, "the tracer is restored after a failed trace");
    };

    it("arithmetic on an output, in workflow terms", () =>
      rejects("arithmetic", "WORKFLOW_NOT_STATIC", /^workflow "arithmetic" computes with the output of task "load" while building its graph \(arithmetic, string operations or comparisons\); move that logic into a task or make "arithmetic" a dynamic$/));

    it("string conversion", () => rejects("templated", "WORKFLOW_NOT_STATIC", /workflow "templated" computes with the output of task "double"/));

    it("comparisons", () => rejects("compares", "WORKFLOW_NOT_STATIC", /computes with the output of task "double"/));

    it("JSON serialization", () => rejects("serializes", "WORKFLOW_NOT_STATIC", /computes with the output of task "double"/));

    it("iterating over an output", () => rejects("iterates", "WORKFLOW_NOT_STATIC", /iterates over output "rows" of task "load".*use map/));

    it("reading a field of a named output", () => rejects("deepField", "WORKFLOW_NOT_STATIC", /reads "length" of output "rows" of task "load"/));

    it("an async workflow body", () => rejects("asyncBody", "WORKFLOW_ASYNC", /workflow "asyncBody" is async.*dynamic/));

    it("a call to an entity that is not exported", () => rejects("callsHidden", "ENTITY_NOT_EXPORTED", /workflow "callsHidden" calls a task that is not exported/));

    it("listing inputs whose names are unknown", () => rejects("passesInputsWhole", "WORKFLOW_NOT_STATIC", /lists its inputs .* destructure them/));

    it("a constant that is not data, naming the call and field", () =>
      rejects("passesFunction", "DATA_INVALID", /^input "xs" of call "sum"\[1\] of workflow "passesFunction" is a function/));

    it("fixed() outside a map", () => rejects("fixedOutsideMap", "INPUT_INVALID", /fixed\(\) only applies to the inputs of a map/));

    it("computing on a call's output inside a dynamic", () =>
      rejects("dynamicComputes", "WORKFLOW_NOT_STATIC", /dynamic "dynamicComputes" computes with the output of task "double".*move that logic into a task$/, { real: { n: 1 } }));

    it("and keeps an outer tracer in place (re-entrancy)", async () => {
      const outer = { call: () => "outer" };
      runtime.tracer = outer;
      try {
        await assert.rejects(trace("arithmetic"));
        assert.equal(runtime.tracer, outer);
        await trace("chain");
        assert.equal(runtime.tracer, outer);
      } finally {
        runtime.tracer = undefined;
      }
    });
  });
});
