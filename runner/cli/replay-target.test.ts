import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AloftError } from "../../compiler/errors.ts";
import { pickReplayNode, type ReplayableNode } from "./replay-target.ts";

function node(id: string, fields: Partial<ReplayableNode> = {}): ReplayableNode {
  return { id, parentId: null, entity: id.replace(/\[\d+\]$/, "").replace(/-\d+$/, "").split("/").pop()!, kind: "task", status: "succeeded", attempts: 1, cached: false, inputs: { x: 1 }, ...fields };
}

function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof AloftError, String(error));
    return { code: error.info.code, message: error.info.message };
  }
  assert.fail("expected a refusal");
}

const pick = (nodes: ReplayableNode[], wanted: string) => pickReplayNode(nodes, wanted, "ex1", "in the local store at /w/.aloft/state.db");

describe("pickReplayNode", () => {
  const mapped = [
    node("readRows", { startedAt: 1, endedAt: 2 }),
    node("checkRow", { kind: "map", status: "failed", attempts: 0, inputs: { row: ["a", "b", "c"] } }),
    node("checkRow[0]", { kind: "item", parentId: "checkRow", startedAt: 3, endedAt: 9 }),
    node("checkRow[1]", { kind: "item", parentId: "checkRow", status: "failed", startedAt: 3, endedAt: 8 }),
    node("checkRow[2]", { kind: "item", parentId: "checkRow", status: "failed", startedAt: 4, endedAt: 7 }),
    node("total", { status: "skipped", attempts: 0, inputs: undefined }),
  ];

  it("takes a node named by its id", () => {
    assert.equal(pick(mapped, "checkRow[0]").node.id, "checkRow[0]");
    assert.equal(pick(mapped, "checkRow[0]").note, undefined);
  });

  it("takes the first node of a task to fail, and says which and how to name another", () => {
    const { node: chosen, note } = pick(mapped, "checkRow");
    assert.equal(chosen.id, "checkRow[2]", "the map node of the same name runs no code; its items do");
    assert.match(note!, /replaying checkRow\[2\], the first of 2 that failed \(name another by its id: checkRow\[0\], checkRow\[1\]\)/);
  });

  it("takes the last node of a task that ran when none failed", () => {
    const nodes = [node("fit-1", { entity: "fit", startedAt: 10 }), node("fit-2", { entity: "fit", startedAt: 30 }), node("fit-3", { entity: "fit", startedAt: 20 })];
    const { node: chosen, note } = pick(nodes, "fit");
    assert.equal(chosen.id, "fit-2");
    assert.match(note!, /the last that ran/);
  });

  it("refuses a map or a workflow, listing the nodes inside it that can be replayed", () => {
    const nodes = [
      node("checkRow-2", { kind: "map", entity: "checkRow", attempts: 0 }),
      node("checkRow-2[0]", { kind: "item", entity: "checkRow", parentId: "checkRow-2" }),
      node("prepare", { kind: "workflow", attempts: 0 }),
      node("prepare/clean", { parentId: "prepare" }),
    ];
    const map = refusal(() => pick(nodes, "checkRow-2"));
    assert.equal(map.code, "REPLAY_NODE_NOT_RUNNABLE");
    assert.match(map.message, /node "checkRow-2" of execution ex1 is a map: it runs no code of its own to replay; replay one of its nodes: checkRow-2\[0\]/);
    const workflow = refusal(() => pick(nodes, "prepare"));
    assert.match(workflow.message, /node "prepare" of execution ex1 is a workflow: .*replay one of its nodes: prepare\/clean$/);
  });

  it("refuses a node without recorded inputs, saying why", () => {
    const skipped = refusal(() => pick(mapped, "total"));
    assert.equal(skipped.code, "REPLAY_NO_INPUTS");
    assert.match(skipped.message, /node "total" \(task total\) of execution ex1 in the local store at \/w\/\.aloft\/state\.db has no recorded inputs to replay: it never started \(skipped\)/);
    const cached = refusal(() => pick([node("score", { cached: true, attempts: 0, inputs: undefined })], "score"));
    assert.match(cached.message, /it was a cache hit, recorded without them/);
    const old = refusal(() => pick([node("score", { inputs: "absent" })], "score"));
    assert.equal(old.code, "REPLAY_INPUTS_NOT_REPORTED");
  });

  it("prefers a node of the task whose inputs were recorded", () => {
    const nodes = [node("fit-1", { entity: "fit", status: "failed", inputs: undefined, endedAt: 1 }), node("fit-2", { entity: "fit", startedAt: 5 })];
    assert.equal(pick(nodes, "fit").node.id, "fit-2");
  });

  it("names what it has when nothing matches", () => {
    const unknown = refusal(() => pick(mapped, "checkCsv"));
    assert.equal(unknown.code, "REPLAY_NODE_NOT_FOUND");
    assert.match(unknown.message, /execution ex1 in the local store at .* has no node "checkCsv" and no task or dynamic of that name; its tasks and dynamics: readRows, checkRow, total/);
  });
});
