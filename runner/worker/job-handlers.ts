/**
 * What a worker does with each job, given the entities its bundle exports:
 * describe them, trace a workflow, run a task, expand a dynamic. Every
 * failure comes back as an `ErrorInfo`, never as a thrown error.
 */
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { definitionOf, type EntityDefinition, type EntityKind } from "../../sdk/entity.ts";
import { runtime } from "../../sdk/runtime.ts";
import type { TaskOptions } from "../../sdk/types.ts";
import type { WireValue } from "../data/wire.ts";
import { AloftError, type ErrorInfo } from "../../compiler/errors.ts";
import type { Codec } from "./codec.ts";
import type { AttemptRef, EntityDescription, JobResult, RunnerToWorker } from "./protocol.ts";
import { traceGraph } from "./tracer.ts";

/** Names every exported entity after its export (the first export wins for aliases). */
export function exportedEntities(module: Record<string, unknown>): Map<string, EntityDefinition> {
  const entities = new Map<string, EntityDefinition>();
  for (const [name, value] of Object.entries(module)) {
    const definition = definitionOf(value);
    if (!definition) continue;
    definition.name ??= name;
    entities.set(name, definition);
  }
  return entities;
}

/** What a job's host (a local worker, a pod's agent) does around the user's code. */
export interface JobHooks {
  /**
   * For a job sent with `debug`: pauses until a debugger attached, right
   * before the user's function is called; returns what ends the session.
   */
  pauseForDebugger?: () => Promise<() => void>;
}

export class JobHandlers {
  constructor(
    private readonly entities: Map<string, EntityDefinition>,
    private readonly codec: Codec,
    /** Scratch space for attempts lives beside the blob store, never inside it. */
    private readonly scratchRoot: string,
  ) {}

  static forBlobRoot(entities: Map<string, EntityDefinition>, codec: Codec, blobRoot: string): JobHandlers {
    return new JobHandlers(entities, codec, join(dirname(blobRoot), "scratch"));
  }

  async handle(job: RunnerToWorker, hooks: JobHooks = {}): Promise<JobResult> {
    const entity = job.type === "describe" ? undefined : job.entity;
    try {
      switch (job.type) {
        case "describe":
          return { ok: true, entities: this.describe() };
        case "trace": {
          const definition = this.lookup(job.entity, "workflow");
          return { ok: true, graph: await traceGraph(definition, { symbolic: job.inputs }, this.codec) };
        }
        case "run": {
          const definition = this.lookup(job.entity, "task");
          return await this.withAttempt(job.attempt, async () => {
            const inputs = await this.decodeInputs(job.entity, "task", job.inputs);
            const output = await this.underDebugger(job, hooks, () => (definition.fn as (inputs: unknown) => unknown)(inputs));
            return { ok: true, output: await this.codec.encode(output, { entity: job.entity, kind: "task", root: "output" }) };
          });
        }
        case "expand": {
          const definition = this.lookup(job.entity, "dynamic");
          return await this.withAttempt(job.attempt, async () => {
            const inputs = await this.decodeInputs(job.entity, "dynamic", job.inputs);
            return { ok: true, graph: await this.underDebugger(job, hooks, () => traceGraph(definition, { real: inputs }, this.codec)) };
          });
        }
      }
    } catch (error) {
      return { ok: false, error: failureInfo(error, job.type, entity) };
    }
  }

  private async underDebugger<T>(job: RunnerToWorker, hooks: JobHooks, body: () => T | Promise<T>): Promise<T> {
    if (!("debug" in job) || !job.debug || !hooks.pauseForDebugger) return await body();
    const endSession = await hooks.pauseForDebugger();
    try {
      return await body();
    } finally {
      endSession();
    }
  }

  private describe(): EntityDescription[] {
    const out: EntityDescription[] = [];
    for (const [name, definition] of this.entities) {
      if (definition.name !== name) continue; // an alias of an entity listed under its first name
      out.push({ name, kind: definition.kind, options: jsonSafe(definition.options) as TaskOptions });
    }
    return out;
  }

  private lookup(name: string, kind: EntityKind): EntityDefinition {
    const definition = this.entities.get(name);
    if (!definition) {
      throw new AloftError({
        code: "ENTITY_NOT_FOUND",
        entity: name,
        message: `the bundle exports no entity "${name}"; it exports: ${[...this.entities.keys()].join(", ") || "nothing"}`,
      });
    }
    if (definition.kind !== kind) {
      throw new AloftError({
        code: "ENTITY_KIND_MISMATCH",
        entity: name,
        message: `"${name}" is a ${definition.kind}, but the runner asked to ${verbFor(kind)} it as a ${kind}`,
      });
    }
    return definition;
  }

  private async decodeInputs(entity: string, kind: "task" | "dynamic", inputs: Record<string, WireValue>): Promise<Record<string, unknown>> {
    const names = Object.keys(inputs);
    const values = await Promise.all(names.map((name) => this.codec.decode(inputs[name]!, { entity, kind, root: `input "${name}"` })));
    const out: Record<string, unknown> = {};
    names.forEach((name, i) => (out[name] = values[i]));
    return out;
  }

  /** Runs `body` with the attempt's scratch space set, and removes that space after. */
  private async withAttempt<T>(ref: AttemptRef, body: () => Promise<T>): Promise<T> {
    const scratchDir = join(this.scratchRoot, safeSegment(ref.executionId), safeSegment(ref.nodeId), String(ref.attempt));
    runtime.attempt = { ...ref, scratchDir };
    try {
      return await body();
    } finally {
      runtime.attempt = undefined;
      // Created lazily by File.write / Dir.create; outputs were uploaded by now.
      if (existsSync(scratchDir)) rmSync(scratchDir, { recursive: true, force: true });
    }
  }
}

function failureInfo(error: unknown, job: RunnerToWorker["type"], entity: string | undefined): ErrorInfo {
  const info = aloftInfo(error);
  if (info) return entity && !info.entity ? { ...info, entity } : info;
  const what = job === "trace" ? `workflow "${entity}" threw while building its graph` : `${job === "expand" ? "dynamic" : "task"} "${entity}" failed`;
  const code = job === "trace" ? "WORKFLOW_BUILD_FAILED" : "TASK_FAILED";
  const base: ErrorInfo = { code, kind: "user", message: "" };
  if (entity) base.entity = entity;
  if (error instanceof Error) return { ...base, message: `${what}: ${error.message}`, stack: error.stack ?? String(error) };
  return { ...base, message: `${what}: ${describeThrown(error)}` };
}

/** AloftErrors keep their info, whichever copy of the class threw them. */
function aloftInfo(error: unknown): ErrorInfo | undefined {
  if (error instanceof AloftError) return error.info;
  const info = (error as { name?: unknown; info?: ErrorInfo } | null)?.info;
  if ((error as { name?: unknown } | null)?.name === "AloftError" && info && typeof info.code === "string") return info;
  return undefined;
}

function describeThrown(value: unknown): string {
  try {
    return typeof value === "string" ? value : `${JSON.stringify(value)} (thrown as a ${typeof value}, not an Error)`;
  } catch {
    return String(value);
  }
}

/** Options minus functions and other values JSON cannot carry. */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? {}, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
}

function safeSegment(text: string): string {
  return text.replace(/[^\w.-]/g, "_") || "_";
}

function verbFor(kind: EntityKind): string {
  return kind === "task" ? "run" : kind === "workflow" ? "trace" : "expand";
}
