/**
 * A workflow graph as JSON, Mermaid or Graphviz dot.
 */
import { INPUTS_NODE, type Binding, type Graph } from "../../compiler/graph.ts";

export type GraphFormat = "json" | "mermaid" | "dot";

interface Edge {
  from: string;
  to: string;
  label: string;
}

/** Edges from each node (or the workflow's inputs) to the inputs that read it. */
function edges(graph: Graph): Edge[] {
  const out: Edge[] = [];
  const add = (binding: Binding, to: string, label: string) => {
    const refs: { node: string; output?: string }[] = [];
    collectRefs(binding, refs);
    for (const ref of refs) out.push({ from: ref.node === INPUTS_NODE ? `input:${ref.output}` : ref.node, to, label });
  };
  for (const node of graph.nodes) {
    for (const [name, binding] of Object.entries(node.inputs)) add(binding, node.id, name);
  }
  add(graph.output, "$outputs", "");
  return out;
}

function collectRefs(binding: Binding, into: { node: string; output?: string }[]): void {
  if ("ref" in binding) into.push(binding.ref);
  else if ("list" in binding) binding.list.forEach((b) => collectRefs(b, into));
  else if ("record" in binding) Object.values(binding.record).forEach((b) => collectRefs(b, into));
}

export function formatGraph(graph: Graph, format: GraphFormat): string {
  if (format === "json") return JSON.stringify(graph, null, 2);
  const id = (name: string) => name.replace(/[^\w]/g, "_");
  const all = edges(graph);
  const usedInputs = [...new Set(all.filter((e) => e.from.startsWith("input:")).map((e) => e.from))];
  const readsOutputs = all.some((e) => e.to === "$outputs");
  if (format === "mermaid") {
    const lines = ["flowchart LR"];
    for (const input of usedInputs) lines.push(`  ${id(input)}([${input.slice(6)}])`);
    for (const node of graph.nodes) lines.push(`  ${id(node.id)}["${node.id}${node.kind === "task" ? "" : ` (${node.kind})`}"]`);
    if (readsOutputs) lines.push("  _outputs_([outputs])");
    for (const e of all) lines.push(`  ${id(e.from)} -->${e.label ? `|${e.label}|` : ""} ${e.to === "$outputs" ? "_outputs_" : id(e.to)}`);
    return lines.join("\n");
  }
  const lines = [`digraph "${graph.entity}" {`, "  rankdir=LR;", "  node [shape=box, style=rounded];"];
  for (const input of usedInputs) lines.push(`  "${input}" [label="${input.slice(6)}", shape=ellipse];`);
  for (const node of graph.nodes) lines.push(`  "${node.id}"${node.kind === "task" ? "" : ` [label="${node.id} (${node.kind})"]`};`);
  if (readsOutputs) lines.push(`  "$outputs" [label="outputs", shape=ellipse];`);
  for (const e of all) lines.push(`  "${e.from}" -> "${e.to}"${e.label ? ` [label="${e.label}"]` : ""};`);
  lines.push("}");
  return lines.join("\n");
}
