/**
 * Process-wide state shared by every copy of the SDK in one process.
 *
 * A user's bundle carries its own copy of the SDK, and the worker that loads it
 * has another. Keying the state on a registered symbol makes both copies see
 * one tracer, one attempt context and one `File`/`Dir` class, so `instanceof`
 * and workflow tracing work across the copies.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { EntityDefinition } from "./entity.ts";

export const ENTITY = Symbol.for("aloft.entity");
export const REF = Symbol.for("aloft.ref");
export const FIXED = Symbol.for("aloft.fixed");

/** Receives the calls a workflow body makes while the runner traces it. */
export interface Tracer {
  call(entity: EntityDefinition, inputs: unknown, map?: MapCall): unknown;
}

export interface MapCall {
  concurrency?: number;
  minSuccessRatio?: number;
}

/** Where the running task may create files; set by the worker per attempt. */
export interface AttemptContext {
  scratchDir: string;
  executionId: string;
  nodeId: string;
  attempt: number;
}

export interface SharedRuntime {
  tracer: Tracer | undefined;
  attempt: AttemptContext | undefined;
  /**
   * Outside the runner (a test calling a task), each call gets its own scratch
   * folder, made on first use, so calls never overwrite each other's files.
   */
  directCall: AsyncLocalStorage<{ scratchDir?: string }>;
  classes: Record<string, unknown>;
}

const KEY = Symbol.for("aloft.runtime.v1");
const holder = globalThis as unknown as Record<symbol, SharedRuntime | undefined>;

export const runtime: SharedRuntime = (holder[KEY] ??= {
  tracer: undefined,
  attempt: undefined,
  directCall: new AsyncLocalStorage(),
  classes: {},
});

/** Returns the first class registered under `name` in this process. */
export function sharedClass<C>(name: string, candidate: C): C {
  return (runtime.classes[name] ??= candidate) as C;
}
