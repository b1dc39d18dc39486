import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ExecutionDetailResponse, NodeSummary } from "../../runner/service/protocol.ts";
import { ExecutionState } from "./execution-state.ts";
import { executionRow, formatDuration, nodeName, nodeRow } from "./execution-tree-model.ts";

const T0 = Date.parse("2026-01-05T10:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();

function node(id: string, parentId: string | null, fields: Partial<NodeSummary> = {}): NodeSummary {
  return { id, parentId, entity: id.split("/").pop()!.replace(/-\d+$/, ""), kind: "task", status: "pending", cached: false, attempts: 0, startedAt: null, endedAt: null, outputs: null, error: null, ...fields };
}

function detail(fields: Partial<ExecutionDetailResponse> = {}): ExecutionDetailResponse {
  return {
    executionId: "mx1abc",
    project: "default",
    domain: "development",
    entity: "trainingWorkflow",
    kind: "workflow",
    file: "fraud/training.ts",
    status: "running",
    createdAt: at(0),
    endedAt: null,
    inputs: {},
    outputs: null,
    error: null,
    nodes: [node("prepareBatches", null, { status: "running", attempts: 1, startedAt: at(100) }), node("trainIterative", null, { kind: "dynamic" }), node("evaluate", null)],
    ...fields,
  };
}

describe("an execution's row", () => {
  it("shows its entity, state and how long it has run, with a spinning icon while it runs", () => {
    const state = new ExecutionState(detail());
    const row = executionRow(state, T0 + 2500);
    assert.deepEqual({ label: row.label, description: row.description, icon: row.icon, context: row.context }, {
      label: "trainingWorkflow",
      description: "running · 2.5 s",
      icon: { id: "sync~spin" },
      context: "execution-running",
    });
    assert.match(row.tooltip, /execution mx1abc, project default, domain development/);
  });

  it("names its domain in the tooltip, and in the description when it is not development", () => {
    const production = executionRow(new ExecutionState(detail({ project: "fraud", domain: "production", status: "succeeded", endedAt: at(1200) })), T0);
    assert.equal(production.description, "succeeded · 1.2 s · production");
    assert.match(production.tooltip, /execution mx1abc, project fraud, domain production/);
    assert.equal(executionRow(new ExecutionState(detail({ status: "succeeded", endedAt: at(1200) })), T0).description, "succeeded · 1.2 s");
  });

  it("follows the event stream: nodes start, end and are added; the execution ends", () => {
    const state = new ExecutionState(detail());
    state.apply({ type: "snapshot", execution: detail() });
    assert.deepEqual(state.childrenOf(null).map((n) => n.id), ["prepareBatches", "trainIterative", "evaluate"]);
    state.apply({ type: "node", executionId: "mx1abc", node: node("prepareBatches", null, { status: "succeeded", attempts: 1, startedAt: at(100), endedAt: at(400), cached: true }) });
    state.apply({ type: "node", executionId: "mx1abc", node: node("trainIterative/trainModel", "trainIterative", { status: "failed", attempts: 3, startedAt: at(500), endedAt: at(1500), error: { code: "TASK_FAILED", kind: "user", message: "batch-0001.csv has no rows" } }) });
    assert.equal(state.topLevelDone().done, 1);

    assert.equal(nodeRow(state, state.nodes!.get("prepareBatches")!, T0).description, "succeeded · 300 ms · cached");
    const failed = nodeRow(state, state.nodes!.get("trainIterative/trainModel")!, T0);
    assert.deepEqual([failed.label, failed.description, failed.icon.id], ["trainModel", "failed · 1.0 s · 3 attempts", "error"]);
    assert.match(failed.tooltip, /TASK_FAILED: batch-0001.csv has no rows/);
    assert.equal(failed.context, "node-replayable", "a failed task can be replayed under the debugger");
    assert.equal(nodeRow(state, state.nodes!.get("prepareBatches")!, T0).context, "node", "a cache hit ran nothing to replay");
    assert.equal(nodeRow(state, state.nodes!.get("trainIterative")!, T0).expandable, true);
    assert.equal(nodeRow(state, state.nodes!.get("evaluate")!, T0).description, "pending");

    state.apply({ type: "execution", execution: { ...detail({ status: "failed", endedAt: at(1600) }), outputs: null, error: { code: "TASK_FAILED", kind: "user", message: "trainModel failed" } } });
    const ended = executionRow(state, T0 + 99_000);
    assert.deepEqual([ended.description, ended.icon, ended.context], ["failed · 1.6 s", { id: "error", color: "testing.iconFailed" }, "execution"]);
    assert.match(ended.tooltip, /TASK_FAILED: trainModel failed/);
  });

  it("counts a map's items and keeps the last log line", () => {
    const state = new ExecutionState(detail());
    state.apply({ type: "snapshot", execution: detail({ nodes: [node("scoreAll", null, { kind: "map", status: "running", startedAt: at(0) })] }) });
    state.apply({ type: "map-progress", executionId: "mx1abc", nodeId: "scoreAll", total: 10, succeeded: 4, failed: 1, running: 2 });
    assert.equal(state.apply({ type: "log", executionId: "mx1abc", nodeId: "scoreAll/score-3", attempt: 1, stream: "stdout", text: "first\nscored 3 rows\n", t: T0 }), false);
    assert.equal(nodeRow(state, state.nodes!.get("scoreAll")!, T0 + 2000).description, "running · 2.0 s · 4/10 items, 1 failed");
    assert.deepEqual(state.lastLog, { nodeId: "scoreAll/score-3", text: "scored 3 rows" });
  });
});

it("names nested nodes by their own part and formats durations to scale", () => {
  assert.equal(nodeName(node("trainIterative/trainModel-2", "trainIterative")), "trainModel-2");
  assert.equal(nodeName(node("evaluate", null)), "evaluate");
  assert.deepEqual([850, 12_340, 245_000, 7_380_000].map(formatDuration), ["850 ms", "12.3 s", "4 min 05 s", "2 h 03 min"]);
});
