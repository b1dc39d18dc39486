/**
 * Which node of a finished execution `aloft debug ID NODE --local` replays:
 * NODE is a node id, or the name of a task or dynamic, meaning the node of
 * it that failed (the first to fail), else the last that ran. Only a node
 * that runs code of its own (a task, a map item, a dynamic's body) and whose
 * inputs were recorded can be replayed.
 */
import { AloftError } from "../../compiler/errors.ts";
import type { WireValue } from "../data/wire.ts";
import type { NodeRecord } from "../store/state-store.ts";

/** What the choice needs of a node, from the local store or a runner's API. */
export type ReplayableNode = Pick<NodeRecord, "id" | "parentId" | "entity" | "kind" | "status" | "attempts" | "cached" | "outputs" | "error" | "startedAt" | "endedAt"> & {
  /** Undefined: never recorded; `absent`: the runner does not report inputs (it predates replays). */
  inputs?: Record<string, WireValue> | "absent";
};

/** The node to replay, and why it was picked when NODE named a task. */
export interface ReplayTarget<N extends ReplayableNode> {
  node: N;
  /** Set when NODE named a task with several candidate nodes: which one was taken, and how to name another. */
  note?: string;
}

const RUNS_CODE: ReadonlySet<string> = new Set(["task", "item", "dynamic"]);

export function pickReplayNode<N extends ReplayableNode>(nodes: readonly N[], wanted: string, executionId: string, where: string): ReplayTarget<N> {
  const exact = nodes.find((n) => n.id === wanted);
  if (exact && RUNS_CODE.has(exact.kind)) return { node: withInputs(exact, executionId, where) };
  const ofEntity = nodes.filter((n) => n.entity === wanted && RUNS_CODE.has(n.kind));
  if (ofEntity.length) return pickOfEntity(ofEntity, wanted, executionId, where);
  if (exact) {
    const inside = nodes.filter((n) => RUNS_CODE.has(n.kind) && isInside(n, exact.id)).map((n) => n.id);
    throw new AloftError({
      code: "REPLAY_NODE_NOT_RUNNABLE",
      entity: exact.entity,
      node: exact.id,
      message: `node "${exact.id}" of execution ${executionId} is a ${exact.kind}: it runs no code of its own to replay; replay ${inside.length ? `one of its nodes: ${listed(inside)}` : "one of its tasks"}`,
    });
  }
  const runnable = [...new Set(nodes.filter((n) => RUNS_CODE.has(n.kind)).map((n) => n.entity))];
  throw new AloftError({
    code: "REPLAY_NODE_NOT_FOUND",
    node: wanted,
    message: `execution ${executionId} ${where} has no node "${wanted}" and no task or dynamic of that name; its tasks and dynamics: ${runnable.join(", ") || "none"}`,
  });
}

function pickOfEntity<N extends ReplayableNode>(candidates: N[], entity: string, executionId: string, where: string): ReplayTarget<N> {
  const recorded = candidates.filter((n) => n.inputs !== undefined);
  if (!recorded.length) return { node: withInputs(candidates[0]!, executionId, where) };
  const failed = recorded.filter((n) => n.status === "failed").sort((a, b) => (a.endedAt ?? Infinity) - (b.endedAt ?? Infinity));
  const ran = recorded.filter((n) => n.attempts > 0).sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0));
  const node = failed[0] ?? ran[0] ?? recorded[recorded.length - 1]!;
  const chosen = withInputs(node, executionId, where);
  if (candidates.length === 1) return { node: chosen };
  const why = failed.length ? (failed.length === 1 ? "the one that failed" : `the first of ${failed.length} that failed`) : ran.length ? "the last that ran" : "the last recorded";
  return { node: chosen, note: `${candidates.length} nodes run ${entity}; replaying ${node.id}, ${why} (name another by its id: ${listed(candidates.filter((n) => n !== node).map((n) => n.id))})` };
}

function withInputs<N extends ReplayableNode>(node: N, executionId: string, where: string): N {
  if (node.inputs === "absent") {
    throw new AloftError({
      code: "REPLAY_INPUTS_NOT_REPORTED",
      node: node.id,
      message: `the runner that holds execution ${executionId} (${where}) does not report its nodes' inputs (it predates aloft debug --local); upgrade it, then replay node "${node.id}"`,
    });
  }
  if (node.inputs === undefined) {
    const why =
      node.status === "pending" || node.status === "skipped"
        ? `it never started (${node.status})`
        : node.cached
          ? "it was a cache hit, recorded without them"
          : `none were recorded (${node.status})`;
    throw new AloftError({
      code: "REPLAY_NO_INPUTS",
      entity: node.entity,
      node: node.id,
      message: `node "${node.id}" (${node.kind} ${node.entity}) of execution ${executionId} ${where} has no recorded inputs to replay: ${why}`,
    });
  }
  return node;
}

/** A map's items (`squares[41]`) and a sub-workflow's or dynamic's nodes (`train/fit-2`) lie inside it. */
function isInside(node: ReplayableNode, containerId: string): boolean {
  return node.parentId === containerId || node.id.startsWith(`${containerId}[`) || node.id.startsWith(`${containerId}/`);
}

function listed(ids: string[]): string {
  return ids.length > 8 ? `${ids.slice(0, 8).join(", ")} and ${ids.length - 8} more` : ids.join(", ");
}
