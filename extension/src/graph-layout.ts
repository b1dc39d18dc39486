/**
 * A workflow's graph laid out for drawing: one box per node (and one for the
 * workflow's inputs and one for its output), an edge per upstream node a
 * node reads from, labelled by the inputs it feeds. Dagre places them top to
 * bottom. Used by the graph webview, tested in Node.
 */
import dagre from "@dagrejs/dagre";
import type { Binding, Graph } from "../../server/protocol.ts";

/** The graph's pseudo-node of the workflow's inputs (compiler/graph.ts's INPUTS_NODE). */
const INPUTS_NODE = "$inputs";
export const OUTPUT_BOX = "$output";

export interface Box {
  id: string;
  /** The node id (or "inputs", "output"). */
  label: string;
  /** What it calls: `task prepareBatches`, or the inputs' names. */
  detail: string;
  kind: "inputs" | "output" | "task" | "workflow" | "dynamic" | "map";
  /** Centre and size. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Edge {
  from: string;
  to: string;
  /** The inputs (or output fields) the edge feeds. */
  label: string;
  points: { x: number; y: number }[];
}

export interface Layout {
  boxes: Box[];
  edges: Edge[];
  width: number;
  height: number;
}

const CHAR_WIDTH = 7.5;
const BOX_HEIGHT = 46;
const PADDING = 24;

/** Ids of the nodes (or the inputs pseudo-node) a binding reads. */
function sources(binding: Binding, into = new Set<string>()): Set<string> {
  if ("ref" in binding) into.add(binding.ref.node);
  else if ("list" in binding) binding.list.forEach((b) => sources(b, into));
  else if ("record" in binding) Object.values(binding.record).forEach((b) => sources(b, into));
  return into;
}

export function layoutGraph(graph: Graph): Layout {
  const boxes = new Map<string, Omit<Box, "x" | "y">>();
  const add = (box: Omit<Box, "x" | "y" | "width" | "height">) =>
    boxes.set(box.id, { ...box, width: Math.round(Math.max(box.label.length, box.detail.length) * CHAR_WIDTH + PADDING), height: BOX_HEIGHT });
  if (graph.inputs.length) add({ id: INPUTS_NODE, label: "inputs", detail: graph.inputs.join(", "), kind: "inputs" });
  for (const node of graph.nodes) add({ id: node.id, label: node.id, detail: node.kind === "map" ? `map over ${node.entity}` : `${node.kind} ${node.entity}`, kind: node.kind });
  add({ id: OUTPUT_BOX, label: "output", detail: graph.entity, kind: "output" });

  // Edge labels: which inputs of the target read from each source.
  const labels = new Map<string, string[]>();
  const connect = (from: string, to: string, name: string) => {
    if (!boxes.has(from)) return;
    const key = `${from}\u0000${to}`;
    labels.set(key, [...(labels.get(key) ?? []), name]);
  };
  for (const node of graph.nodes) for (const [input, binding] of Object.entries(node.inputs)) for (const from of sources(binding)) connect(from, node.id, input);
  const outputFields = "record" in graph.output ? Object.entries(graph.output.record) : [["", graph.output] as const];
  for (const [field, binding] of outputFields) for (const from of sources(binding)) connect(from, OUTPUT_BOX, field);

  const layout = new dagre.graphlib.Graph();
  layout.setGraph({ rankdir: "TB", nodesep: 36, ranksep: 56, edgesep: 16, marginx: 16, marginy: 16 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const box of boxes.values()) layout.setNode(box.id, { width: box.width, height: box.height });
  for (const key of labels.keys()) {
    const [from, to] = key.split("\u0000") as [string, string];
    layout.setEdge(from, to);
  }
  dagre.layout(layout);

  const placed = [...boxes.values()].map((box) => {
    const { x, y } = layout.node(box.id);
    return { ...box, x, y };
  });
  const edges = [...labels].map(([key, names]) => {
    const [from, to] = key.split("\u0000") as [string, string];
    return { from, to, label: names.filter(Boolean).join(", "), points: layout.edge(from, to).points ?? [] };
  });
  const { width = 0, height = 0 } = layout.graph();
  return { boxes: placed, edges, width, height };
}
