/** The answer to `aloft/graph`: a workflow's static graph, or why it has none. */
import { DiagnosticSeverity } from "vscode-languageserver/node.js";
import type { DocumentAnalysis } from "./document-analysis.ts";
import type { GraphResult } from "./protocol.ts";

export function graphOf(analysis: DocumentAnalysis, name: string): GraphResult {
  const where = analysis.file ?? analysis.uri;
  if (analysis.notChecked !== undefined) return { error: `no graph of "${name}": ${analysis.notChecked}` };
  const entity = analysis.entities.find((e) => e.name === name);
  const errors = fileErrors(analysis);
  if (!entity) {
    const workflows = analysis.entities.filter((e) => e.kind === "workflow").map((e) => e.name);
    return { error: `${where} exports no entity named "${name}"; its workflows: ${workflows.join(", ") || "none"}${errors}` };
  }
  if (entity.kind === "task") return { error: `"${name}" in ${where} is a task, not a workflow: only workflows have a graph` };
  if (entity.kind === "dynamic") {
    return { error: `"${name}" in ${where} is a dynamic: it builds its graph when it runs, from its real inputs, so it has no static graph; run it to see the graph it built` };
  }
  const graph = analysis.graphs[name];
  if (graph) return { graph };
  const why = analysis.graphsUnavailable[name];
  return { error: `workflow "${name}" in ${where} has no static graph: ${why ?? "its body could not be read"}${errors}` };
}

/** "; the file has 2 errors, the first at line 8: ..." when it has any. */
function fileErrors(analysis: DocumentAnalysis): string {
  const errors = analysis.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  const first = errors[0];
  if (!first) return "";
  const count = errors.length === 1 ? "1 error" : `${errors.length} errors`;
  return `; the file has ${count}, the first at line ${first.range.start.line + 1}: ${first.message}`;
}
