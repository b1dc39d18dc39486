import assert from "node:assert/strict";
import { it } from "node:test";
import { DiagnosticSeverity } from "vscode-languageserver/node.js";
import type { Graph } from "../compiler/graph.ts";
import type { EntityInterface } from "../compiler/type-spec.ts";
import type { DocumentAnalysis } from "./document-analysis.ts";
import { graphOf } from "./graph-request.ts";

const entity = (name: string, kind: EntityInterface["kind"]): EntityInterface => ({ name, kind, inputs: {}, output: { kind: "number" }, line: 1 });
const graph: Graph = { entity: "flow", inputs: [], nodes: [], output: { literal: 1 } };
const analysis: DocumentAnalysis = {
  uri: "file:///w/flows.ts",
  version: 3,
  file: "/w/flows.ts",
  text: "",
  entities: [entity("count", "task"), entity("loop", "dynamic"), entity("flow", "workflow"), entity("branchy", "workflow")],
  diagnostics: [
    { range: { start: { line: 4, character: 0 }, end: { line: 4, character: 1 } }, severity: DiagnosticSeverity.Warning, message: "a warning" },
    { range: { start: { line: 6, character: 2 }, end: { line: 6, character: 9 } }, severity: DiagnosticSeverity.Error, message: "it branches" },
  ],
  graphs: { flow: graph },
  graphsUnavailable: { branchy: "it uses a statement other than const, let, a call or return" },
  sources: new Set(),
};

it("gives a workflow's graph", () => {
  assert.deepEqual(graphOf(analysis, "flow"), { graph });
});

it("says why there is none, naming the file and the entity", () => {
  assert.deepEqual(graphOf(analysis, "count"), { error: '"count" in /w/flows.ts is a task, not a workflow: only workflows have a graph' });
  assert.match(errorOf(graphOf(analysis, "loop")), /^"loop" in \/w\/flows\.ts is a dynamic: it builds its graph when it runs/);
  assert.equal(
    errorOf(graphOf(analysis, "branchy")),
    'workflow "branchy" in /w/flows.ts has no static graph: it uses a statement other than const, let, a call or return; the file has 1 error, the first at line 7: it branches',
  );
  assert.equal(errorOf(graphOf(analysis, "flo")), '/w/flows.ts exports no entity named "flo"; its workflows: flow, branchy; the file has 1 error, the first at line 7: it branches');
  assert.equal(errorOf(graphOf({ ...analysis, notChecked: "untitled:1 is not saved yet" }, "flow")), 'no graph of "flow": untitled:1 is not saved yet');
});

function errorOf(result: ReturnType<typeof graphOf>): string {
  assert.ok("error" in result);
  return result.error;
}
