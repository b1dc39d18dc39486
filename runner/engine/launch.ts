/**
 * Creating a new execution and reloading an interrupted one: both end in an
 * `Execution` built over the same live graph, the second from stored records.
 */
import { randomBytes } from "node:crypto";
import type { Graph } from "../../compiler/graph.ts";
import type { EntityInterface } from "../../compiler/type-spec.ts";
import type { WireValue } from "../data/wire.ts";
import { AloftError } from "../../compiler/errors.ts";
import { DEFAULT_DOMAIN, DEFAULT_PROJECT, type ExecutionRecord, type NodeRecord } from "../store/state-store.ts";
import type { EntityDescription } from "../worker/protocol.ts";
import { singleNodeGraph } from "./bindings.ts";
import { Execution, type EngineContext } from "./execution.ts";
import type { TaskExecutor } from "./executor.ts";
import { buildScope } from "./live-graph.ts";

export interface NewExecution {
  file: string;
  entity: string;
  bundleHash: string;
  bundlePath: string;
  interfaces: Record<string, EntityInterface>;
  inputs: Record<string, WireValue>;
  /** "default" when absent. */
  project?: string;
  /** "development" when absent. */
  domain?: string;
  /** Runner-service submissions: digests of the submission's descriptor and source map. */
  descriptor?: string;
  sourceMap?: string;
}

/** Asks the executor what the bundle exports: names, kinds and options. */
export async function describeBundle(executor: TaskExecutor): Promise<Map<string, EntityDescription>> {
  const result = await executor.run({ type: "describe" });
  if (!result.ok) throw new AloftError(result.error);
  if (!("entities" in result)) throw new Error("describe returned no entities");
  return new Map(result.entities.map((e) => [e.name, e]));
}

async function rootGraph(
  executor: TaskExecutor,
  entity: EntityDescription,
  inputNames: string[],
): Promise<Graph> {
  if (entity.kind !== "workflow") return singleNodeGraph(entity.name, entity.kind, inputNames);
  const result = await executor.run({ type: "trace", entity: entity.name, inputs: inputNames });
  if (!result.ok) throw new AloftError(result.error);
  if (!("graph" in result)) throw new Error(`trace of "${entity.name}" returned no graph`);
  return result.graph;
}

export function newExecutionId(): string {
  return `${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
}

/**
 * Records a new execution and its top-level nodes. The workflow is traced
 * first, so a body that cannot build a graph fails before anything is stored.
 */
export async function createExecution(
  ctx: EngineContext,
  entities: Map<string, EntityDescription>,
  request: NewExecution,
): Promise<Execution> {
  const entity = entities.get(request.entity);
  if (!entity) {
    throw new AloftError({
      code: "ENTITY_NOT_FOUND",
      message: `${request.file} has no exported entity "${request.entity}"; it exports: ${[...entities.keys()].join(", ") || "nothing"}`,
    });
  }
  const inputNames = Object.keys(request.interfaces[request.entity]?.inputs ?? request.inputs);
  const graph = await rootGraph(ctx.executor, entity, inputNames);
  const record: ExecutionRecord = {
    id: newExecutionId(),
    project: request.project ?? DEFAULT_PROJECT,
    domain: request.domain ?? DEFAULT_DOMAIN,
    file: request.file,
    entity: request.entity,
    kind: entity.kind,
    bundleHash: request.bundleHash,
    bundlePath: request.bundlePath,
    interfaces: request.interfaces,
    status: "running",
    inputs: request.inputs,
    createdAt: Date.now(),
  };
  if (request.descriptor !== undefined) record.descriptor = request.descriptor;
  if (request.sourceMap !== undefined) record.sourceMap = request.sourceMap;
  const { scope, created } = buildScope(record.id, null, graph, record.inputs, new Map());
  await ctx.store.createExecution(record, created);
  return new Execution(ctx, record, entities, scope, new Map());
}

/**
 * Picks up an execution whose runner died. Attempts that were running are
 * waited on again when the executor's jobs outlive the runner (pods), and
 * otherwise closed as interrupted (a system failure, retried on the system
 * budget); succeeded nodes keep their outputs and are not run again.
 */
export async function loadExecution(
  ctx: EngineContext,
  entities: Map<string, EntityDescription>,
  record: ExecutionRecord,
): Promise<Execution> {
  if (record.status !== "running") {
    throw new AloftError({
      code: "EXECUTION_FINISHED",
      message: `execution ${record.id} already ${record.status}; only an interrupted execution can be resumed`,
    });
  }
  const { store } = ctx;
  const resumable = new Map<string, number>();
  if (ctx.executor.resume) {
    // Its jobs outlive the runner (pods): wait on the open attempts again rather than run them twice.
    for (const attempt of await store.listAttempts(record.id)) if (attempt.status === "running") resumable.set(attempt.nodeId, attempt.attempt);
  } else {
    await store.closeRunningAttempts(record.id, Date.now(), (attempt) => ({
      code: "RUNNER_INTERRUPTED",
      kind: "system",
      node: attempt.nodeId,
      message: "the runner stopped while this attempt ran; it runs again on resume",
    }));
  }
  const existing = new Map<string, NodeRecord>((await store.listNodes(record.id)).map((n) => [n.id, n]));
  const entity = entities.get(record.entity);
  if (!entity) {
    throw new AloftError({ code: "ENTITY_NOT_FOUND", message: `the bundle of execution ${record.id} no longer exports "${record.entity}"` });
  }
  const graph = await rootGraph(ctx.executor, entity, Object.keys(record.interfaces[record.entity]?.inputs ?? record.inputs));
  const { scope, created } = buildScope(record.id, null, graph, record.inputs, existing);
  if (created.length) await store.insertNodes(created);
  return new Execution(ctx, record, entities, scope, existing, resumable);
}
