/**
 * A workflow's graph: what the runner traces at run time and what the
 * compiler reads statically. Both sides produce this one shape, so the two
 * can be compared node for node.
 */

/** Where a node input (or a workflow output) takes its value from. */
export type Binding =
  /** A workflow input, or an upstream node's output (a field of it when `output` is set). */
  | { ref: { node: string; output?: string } }
  /** A constant written in the workflow body, in wire form. */
  | { literal: unknown }
  | { list: Binding[] }
  | { record: Record<string, Binding> };

/** The pseudo-node whose outputs are the workflow's own inputs. */
export const INPUTS_NODE = "$inputs";

export type NodeKind = "task" | "workflow" | "dynamic" | "map";

export interface GraphNode {
  /** Unique in its graph: the entity name, suffixed `-2`, `-3` on repeats. */
  id: string;
  /** Export name of the task, workflow or dynamic called (for a map: its task). */
  entity: string;
  kind: NodeKind;
  inputs: Record<string, Binding>;
  /** For a map: which inputs are passed whole to every item. */
  map?: { concurrency?: number; minSuccessRatio?: number; fixed: string[] };
}

export interface Graph {
  /** Export name of the workflow or dynamic this graph belongs to. */
  entity: string;
  inputs: string[];
  nodes: GraphNode[];
  output: Binding;
}

/** Ids of the nodes a binding reads from (never the inputs pseudo-node). */
export function upstreamOf(binding: Binding, into: Set<string> = new Set()): Set<string> {
  if ("ref" in binding) {
    if (binding.ref.node !== INPUTS_NODE) into.add(binding.ref.node);
  } else if ("list" in binding) {
    for (const b of binding.list) upstreamOf(b, into);
  } else if ("record" in binding) {
    for (const b of Object.values(binding.record)) upstreamOf(b, into);
  }
  return into;
}

export function nodeUpstream(node: GraphNode): Set<string> {
  const into = new Set<string>();
  for (const b of Object.values(node.inputs)) upstreamOf(b, into);
  return into;
}
