/**
 * Messages between the runner and a warm worker process (Node IPC channel).
 * A worker loads one code bundle once, then serves many jobs, one at a time.
 */
import type { Graph } from "../../compiler/graph.ts";
import type { TaskOptions } from "../../sdk/types.ts";
import type { ErrorInfo } from "../../compiler/errors.ts";
import type { WireValue } from "../data/wire.ts";

export interface EntityDescription {
  name: string;
  kind: "task" | "workflow" | "dynamic";
  /** JSON-safe copy of the options the entity was declared with. */
  options: TaskOptions;
}

export interface AttemptRef {
  executionId: string;
  nodeId: string;
  attempt: number;
}

export type RunnerToWorker =
  /** List the entities the bundle exports. */
  | { type: "describe"; id: number }
  /**
   * Build a workflow's graph by calling its body with symbolic inputs. Without
   * `inputs` (the workflow's input names), they are learned from what the body reads.
   */
  | { type: "trace"; id: number; entity: string; inputs?: string[] }
  /** Run a task with real inputs and return its output. */
  | { type: "run"; id: number; entity: string; inputs: Record<string, WireValue>; attempt: AttemptRef }
  /** Run a dynamic body with real inputs and return the graph it builds. */
  | { type: "expand"; id: number; entity: string; inputs: Record<string, WireValue>; attempt: AttemptRef };

export type JobResult =
  | { ok: true; entities: EntityDescription[] }
  | { ok: true; graph: Graph }
  | { ok: true; output: WireValue }
  | { ok: false; error: ErrorInfo };

export type WorkerToRunner =
  | { type: "ready"; pid: number }
  /** The bundle failed to load; the worker exits with BUNDLE_LOAD_EXIT_CODE right after. */
  | { type: "load-failed"; error: ErrorInfo }
  | { type: "result"; id: number; result: JobResult }
  /** Output a job's code wrote, attributed to that job. */
  | { type: "log"; id: number; stream: "stdout" | "stderr"; text: string };

/** Exit code of a worker whose bundle failed to load: restarting it will not help. */
export const BUNDLE_LOAD_EXIT_CODE = 78;
