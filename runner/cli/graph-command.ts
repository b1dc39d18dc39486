/**
 * `aloft graph FILE WORKFLOW [--format json|mermaid|dot]`: the graph the
 * workflow builds, traced by running its body with symbolic inputs in a
 * worker, exactly as a run builds it.
 */
import { AloftError } from "../../compiler/errors.ts";
import { LocalRunner } from "../local-runner.ts";
import { findWorkspace } from "../workspace.ts";
import { formatGraph, type GraphFormat } from "./graph-format.ts";
import { UsageError } from "./usage.ts";

const FORMATS: GraphFormat[] = ["json", "mermaid", "dot"];

export async function graphCommand(args: string[]): Promise<number> {
  let format: GraphFormat = "json";
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--format" || arg.startsWith("--format=")) {
      const value = arg.includes("=") ? arg.slice(9) : args[++i];
      if (!FORMATS.includes(value as GraphFormat)) throw new UsageError(`--format expects one of ${FORMATS.join(", ")}, got "${value ?? ""}"`);
      format = value as GraphFormat;
    } else if (arg.startsWith("--")) {
      throw new UsageError(`unknown option ${arg} for aloft graph`);
    } else {
      positional.push(arg);
    }
  }
  const [file, entity] = positional;
  if (!file || !entity) throw new UsageError("aloft graph needs a file and a workflow: aloft graph FILE WORKFLOW [--format json|mermaid|dot]");
  const runner = new LocalRunner(findWorkspace());
  try {
    const prepared = await runner.prepare(file);
    const iface = prepared.interfaces[entity];
    if (!iface || iface.kind !== "workflow") {
      const workflows = Object.values(prepared.interfaces).filter((e) => e.kind === "workflow").map((e) => e.name);
      throw new AloftError({
        code: "ENTITY_NOT_FOUND",
        message: `${file} has no exported workflow named "${entity}"${iface ? ` ("${entity}" is a ${iface.kind})` : ""}; its workflows: ${workflows.join(", ") || "none"}`,
      });
    }
    const graph = await runner.trace(prepared, entity);
    process.stdout.write(`${formatGraph(graph, format)}\n`);
    return 0;
  } finally {
    runner.close();
  }
}
