/**
 * Which attempt of an execution runs under the debugger: `--debug NODE`
 * names a node by its id (`trainIterative/trainModel-2`) or by its task or
 * dynamic (`trainModel`: the first of its nodes to start). One attempt per
 * execution is paused, so a map of a thousand items does not stop a
 * thousand times.
 */
import { AloftError } from "../../compiler/errors.ts";
import type { NodeRecord } from "../store/state-store.ts";

export interface DebugRequest {
  /** A node id, or the name of a task or dynamic. */
  node: string;
}

export function matchesDebugTarget(request: DebugRequest, node: Pick<NodeRecord, "id" | "entity" | "kind">): boolean {
  if (node.kind !== "task" && node.kind !== "dynamic" && node.kind !== "item") return false;
  return node.id === request.node || node.entity === request.node;
}

/**
 * Refuses a target that can never match: its name (or the task part of its
 * last path segment, `trainModel` of `trainIterative/trainModel-2`) must be
 * a task or dynamic the bundle exports. Nodes inside dynamics exist only at
 * run time, so an id is checked by the entity it names, not by the graph.
 */
export function checkDebugTarget(request: DebugRequest, entities: Iterable<{ name: string; kind: string }>, file: string): void {
  const runnable = [...entities].filter((e) => e.kind === "task" || e.kind === "dynamic").map((e) => e.name);
  const last = request.node.split("/").pop() ?? "";
  const named = [request.node, last, last.replace(/\[\d+\]$/, ""), last.replace(/-\d+$/, "")];
  if (named.some((name) => runnable.includes(name))) return;
  throw new AloftError({
    code: "DEBUG_TARGET_UNKNOWN",
    field: "--debug",
    message: `--debug ${request.node}: ${file} has no task or dynamic of that name, and it names no node of one; its tasks and dynamics: ${runnable.join(", ") || "none"}`,
  });
}
