/** What hovering an entity's name shows: its kind, its typed interface and, for a workflow, its graph. */
import type { Hover } from "vscode-languageserver/node.js";
import type { Graph } from "../compiler/graph.ts";
import { formatType, type EntityInterface } from "../compiler/type-spec.ts";
import { graphSummary } from "./graph-summary.ts";
import { identifierAt } from "./positions.ts";

export interface HoverSource {
  text: string;
  entities: readonly EntityInterface[];
  graphs: Record<string, Graph>;
  graphsUnavailable: Record<string, string>;
}

/**
 * The hover at `offset`: on any identifier that names an entity the document
 * exports (its declaration, or a call of it in a workflow body).
 */
export function entityHover(source: HoverSource, offset: number, positionAt: (offset: number) => { line: number; character: number }): Hover | null {
  const word = identifierAt(source.text, offset);
  const entity = word && source.entities.find((e) => e.name === word.name);
  if (!word || !entity) return null;
  return {
    contents: { kind: "markdown", value: entityMarkdown(entity, source) },
    range: { start: positionAt(word.start), end: positionAt(word.end) },
  };
}

export function entityMarkdown(entity: EntityInterface, source: Pick<HoverSource, "graphs" | "graphsUnavailable">): string {
  const inputs = formatType({ kind: "record", fields: entity.inputs });
  const parts = [["```ts", `(${entity.kind}) ${entity.name}(inputs: ${inputs}): ${formatType(entity.output)}`, "```"].join("\n")];
  if (entity.kind === "workflow") {
    const graph = source.graphs[entity.name];
    const unavailable = source.graphsUnavailable[entity.name];
    if (graph) parts.push(graphSummary(graph));
    else if (unavailable) parts.push(`No static graph: ${unavailable}.`);
  } else if (entity.kind === "dynamic") {
    parts.push("A dynamic builds its graph when it runs, from its real inputs.");
  }
  return parts.join("\n\n");
}
