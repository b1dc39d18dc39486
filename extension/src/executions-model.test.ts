import assert from "node:assert/strict";
import { it } from "node:test";
import type { ExecutionSummary } from "../../runner/service/protocol.ts";
import { ExecutionState } from "./execution-state.ts";
import { ExecutionsModel } from "./executions-model.ts";

const local = { key: "local:/w", label: "local runner (w)" };

function summary(id: string, status: ExecutionSummary["status"]): ExecutionSummary {
  return { executionId: id, project: "default", domain: "development", entity: "trainingWorkflow", kind: "workflow", file: "fraud/training.ts", status, createdAt: "2026-01-05T10:00:00.000Z", endedAt: null };
}

it("shows a started execution at once, then keeps its live state when the list is read again", () => {
  const model = new ExecutionsModel();
  let changes = 0;
  model.onDidChange(() => changes++);
  model.setList(local, [summary("mx1old", "succeeded")]);
  const started = model.add(local, new ExecutionState(summary("mx1new", "running")));
  started.followed = true;
  assert.deepEqual(model.executionsOf(local.key).map((e) => e.id), ["mx1new", "mx1old"]);

  started.apply({ type: "execution", execution: { ...summary("mx1new", "succeeded"), outputs: null, error: null } });
  // A list read while the stream was ahead of it: the stream's state stays.
  model.setList(local, [summary("mx1new", "running"), summary("mx1old", "succeeded")]);
  assert.equal(model.find(local.key, "mx1new"), started);
  assert.equal(started.summary.status, "succeeded");
  // One not followed takes the list's word.
  model.setList(local, [summary("mx1new", "succeeded"), summary("mx1old", "failed")]);
  assert.equal(model.find(local.key, "mx1old")?.summary.status, "failed");
  assert.equal(changes, 4);
});

it("drops an execution the runner no longer has, and says why a runner's list is missing", () => {
  const model = new ExecutionsModel();
  model.setList(local, [summary("mx1a", "succeeded"), summary("mx1b", "failed")]);
  model.remove(local.key, "mx1a");
  assert.deepEqual(model.executionsOf(local.key).map((e) => e.id), ["mx1b"]);
  const remote = { key: "remote:http://r:7878", label: "http://r:7878" };
  model.setProblem(remote, "cannot reach the aloft runner at http://r:7878");
  assert.deepEqual(model.sourceList(), [local, { ...remote, problem: "cannot reach the aloft runner at http://r:7878" }]);
});

it("finds the newest execution of a workflow whose nodes are known, on any runner", () => {
  const model = new ExecutionsModel();
  const older = new ExecutionState(summary("mx1a", "succeeded"));
  const newer = new ExecutionState({ ...summary("mx1b", "running"), createdAt: "2026-01-05T11:00:00.000Z" });
  const unread = new ExecutionState({ ...summary("mx1c", "running"), createdAt: "2026-01-05T12:00:00.000Z" });
  for (const state of [older, newer]) state.apply({ type: "snapshot", execution: { ...state.summary, inputs: {}, outputs: null, error: null, nodes: [] } });
  model.setList(local, []);
  model.add(local, older);
  model.add({ key: "remote:http://r", label: "r" }, newer);
  model.add(local, unread);
  assert.equal(model.latestOf("trainingWorkflow", (file) => file === "fraud/training.ts")?.state, newer);
  assert.equal(model.latestOf("trainingWorkflow", (file) => file === "other.ts"), undefined);
  assert.equal(model.latestOf("evaluate", () => true), undefined);
});
