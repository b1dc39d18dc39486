/**
 * The in-memory picture of a running execution: one `Scope` per graph
 * instance (the root workflow, each sub-workflow and dynamic expansion), one
 * `LiveNode` per node, counters of what each node still waits for. It holds
 * no I/O; the engine mirrors every change to the store.
 */
import { INPUTS_NODE, nodeUpstream, type Graph, type GraphNode } from "../../compiler/graph.ts";
import type { WireValue } from "../data/wire.ts";
import type { NodeRecord } from "../store/state-store.ts";

export interface Scope {
  /** The workflow or dynamic node this graph runs for; null at the root. */
  owner: LiveNode | null;
  graph: Graph;
  inputs: Record<string, WireValue>;
  nodes: Map<string, LiveNode>;
  /** Nodes of this graph not yet succeeded. */
  unfinished: number;
}

export interface MapState {
  items: LiveNode[];
  /** Items not yet started, in order. */
  queue: LiveNode[];
  running: number;
  succeeded: number;
  failed: number;
  concurrency: number;
  minSuccessRatio: number;
  /** True while items are being started, so completions inside do not recurse. */
  starting: boolean;
}

export interface LiveNode {
  record: NodeRecord;
  /** The graph node this instantiates; undefined for map items. */
  definition: GraphNode | undefined;
  scope: Scope;
  /** Upstream nodes not yet succeeded. */
  waitingOn: number;
  dependents: LiveNode[];
  /** For a map item: its map. */
  map?: LiveNode;
  mapState?: MapState;
  /** For a workflow or dynamic node: the graph it runs. */
  child?: Scope;
}

export function nodeIdIn(owner: LiveNode | null, localId: string): string {
  return owner ? `${owner.record.id}/${localId}` : localId;
}

/**
 * Instantiates `graph` under `owner`. Existing records (from a resumed run)
 * are reused by id, so succeeded nodes keep their outputs and are not re-run.
 */
export function buildScope(
  executionId: string,
  owner: LiveNode | null,
  graph: Graph,
  inputs: Record<string, WireValue>,
  existing: ReadonlyMap<string, NodeRecord>,
): { scope: Scope; created: NodeRecord[] } {
  const scope: Scope = { owner, graph, inputs, nodes: new Map(), unfinished: 0 };
  const created: NodeRecord[] = [];
  for (const definition of graph.nodes) {
    const id = nodeIdIn(owner, definition.id);
    let record = existing.get(id);
    if (!record) {
      record = {
        executionId,
        id,
        parentId: owner ? owner.record.id : null,
        entity: definition.entity,
        kind: definition.kind,
        status: "pending",
        cached: false,
        attempts: 0,
      };
      created.push(record);
    }
    scope.nodes.set(definition.id, {
      record,
      definition,
      scope,
      waitingOn: 0,
      dependents: [],
    });
    if (record.status !== "succeeded") scope.unfinished++;
  }
  for (const node of scope.nodes.values()) {
    for (const upstreamId of nodeUpstream(node.definition!)) {
      const upstream = scope.nodes.get(upstreamId);
      if (!upstream) throw new Error(`graph of "${graph.entity}": node "${node.definition!.id}" reads unknown node "${upstreamId}"`);
      upstream.dependents.push(node);
      if (upstream.record.status !== "succeeded") node.waitingOn++;
    }
  }
  return { scope, created };
}

/** Outputs of a node in `scope`, or the scope's inputs for the inputs pseudo-node. */
export function lookupIn(scope: Scope): (node: string) => WireValue | undefined {
  return (node) => (node === INPUTS_NODE ? scope.inputs : scope.nodes.get(node)?.record.outputs);
}

export function readyNodes(scope: Scope): LiveNode[] {
  return [...scope.nodes.values()].filter((n) => n.waitingOn === 0 && n.record.status !== "succeeded");
}
