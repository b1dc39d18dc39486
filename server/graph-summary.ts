/** A workflow's graph in a few lines of Markdown: its nodes in call order and where each input comes from. */
import { INPUTS_NODE, type Binding, type Graph, type GraphNode } from "../compiler/graph.ts";

const MAX_NODES = 40;
const MAX_LITERAL = 40;

export function graphSummary(graph: Graph): string {
  const count = graph.nodes.length;
  const lines = [`**Graph**: ${count} node${count === 1 ? "" : "s"}, in call order`, ""];
  graph.nodes.slice(0, MAX_NODES).forEach((node, index) => lines.push(`${index + 1}. ${nodeLine(node)}`));
  if (count > MAX_NODES) lines.push(`\n…and ${count - MAX_NODES} more`);
  lines.push("", `Returns ${describeBinding(graph.output)}`);
  return lines.join("\n");
}

function nodeLine(node: GraphNode): string {
  const what = node.kind === "map" ? `map of task \`${node.entity}\`${mapOptions(node)}` : `${node.kind} \`${node.entity}\``;
  const named = node.id === node.entity ? what : `\`${node.id}\`: ${what}`;
  const inputs = Object.entries(node.inputs).map(([name, binding]) => `${name} ← ${describeBinding(binding)}`);
  return inputs.length ? `${named}: ${inputs.join(", ")}` : named;
}

function mapOptions(node: GraphNode): string {
  const options: string[] = [];
  if (node.map?.concurrency !== undefined) options.push(`concurrency ${node.map.concurrency}`);
  if (node.map?.minSuccessRatio !== undefined) options.push(`minSuccessRatio ${node.map.minSuccessRatio}`);
  if (node.map?.fixed.length) options.push(`fixed ${node.map.fixed.join(", ")}`);
  return options.length ? ` (${options.join(", ")})` : "";
}

/** Where a value comes from: `node`, `node.field`, input `name`, or a constant. */
export function describeBinding(binding: Binding): string {
  if ("ref" in binding) {
    const { node, output } = binding.ref;
    if (node === INPUTS_NODE) return output === undefined ? "the inputs" : `input \`${output}\``;
    return output === undefined ? `\`${node}\`` : `\`${node}.${output}\``;
  }
  if ("list" in binding) return `[${binding.list.map(describeBinding).join(", ")}]`;
  if ("record" in binding) {
    const fields = Object.entries(binding.record).map(([name, b]) => `${name}: ${describeBinding(b)}`);
    return fields.length ? `{ ${fields.join(", ")} }` : "{}";
  }
  const text = binding.literal === undefined ? "undefined" : JSON.stringify(binding.literal);
  return `\`${text.length > MAX_LITERAL ? `${text.slice(0, MAX_LITERAL - 1)}…` : text}\``;
}
