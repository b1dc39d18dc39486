/**
 * `aloft graph FILE WORKFLOW [--format json|mermaid|dot] [--traced]`: the
 * graph a workflow builds. By default it is read from the source by the
 * compiler, without running anything (what the editor shows); `--traced` runs
 * the body with symbolic inputs in a worker, exactly as a run builds it. A
 * test holds the two equal on every sample.
 */
import { resolve } from "node:path";
import { AloftError } from "../../compiler/errors.ts";
import type { Graph } from "../../compiler/graph.ts";
import { readEntities } from "../../compiler/interfaces.ts";
import { LocalRunner } from "../local-runner.ts";
import { findWorkspace } from "../workspace.ts";
import { formatGraph, type GraphFormat } from "./graph-format.ts";
import { formatDiagnostics } from "./diagnostics-format.ts";
import { UsageError } from "./usage.ts";

const FORMATS: GraphFormat[] = ["json", "mermaid", "dot"];

export async function graphCommand(args: string[]): Promise<number> {
  let format: GraphFormat = "json";
  let traced = false;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--format" || arg.startsWith("--format=")) {
      const value = arg.includes("=") ? arg.slice(9) : args[++i];
      if (!FORMATS.includes(value as GraphFormat)) throw new UsageError(`--format expects one of ${FORMATS.join(", ")}, got "${value ?? ""}"`);
      format = value as GraphFormat;
    } else if (arg === "--traced") {
      traced = true;
    } else if (arg.startsWith("--")) {
      throw new UsageError(`unknown option ${arg} for aloft graph`);
    } else {
      positional.push(arg);
    }
  }
  const [file, entity] = positional;
  if (!file || !entity) throw new UsageError("aloft graph needs a file and a workflow: aloft graph FILE WORKFLOW [--format json|mermaid|dot] [--traced]");
  const graph = traced ? await tracedGraph(file, entity) : staticGraph(file, entity);
  process.stdout.write(`${formatGraph(graph, format)}\n`);
  return 0;
}

function staticGraph(file: string, entity: string): Graph {
  const reading = readEntities(file);
  requireWorkflow(file, entity, reading.entities);
  const graph = reading.graphs[entity];
  if (graph) return graph;
  const errors = reading.diagnostics.filter((d) => d.severity === "error" && d.file === resolve(file));
  const why = reading.graphsUnavailable[entity] ?? "its body could not be read";
  throw new AloftError({
    code: "GRAPH_UNAVAILABLE",
    entity,
    message: `the graph of workflow "${entity}" cannot be read from ${file}: ${why}${errors.length ? `\n${formatDiagnostics(errors)}` : ""}`,
  });
}

async function tracedGraph(file: string, entity: string): Promise<Graph> {
  const runner = new LocalRunner(findWorkspace());
  try {
    const prepared = await runner.prepare(file);
    requireWorkflow(file, entity, Object.values(prepared.interfaces));
    return await runner.trace(prepared, entity);
  } finally {
    await runner.close();
  }
}

function requireWorkflow(file: string, entity: string, entities: readonly { name: string; kind: string }[]): void {
  const found = entities.find((e) => e.name === entity);
  if (found?.kind === "workflow") return;
  const workflows = entities.filter((e) => e.kind === "workflow").map((e) => e.name);
  throw new AloftError({
    code: "ENTITY_NOT_FOUND",
    message: `${file} has no exported workflow named "${entity}"${found ? ` ("${entity}" is a ${found.kind})` : ""}; its workflows: ${workflows.join(", ") || "none"}`,
  });
}
