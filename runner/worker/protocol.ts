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
  /**
   * Run a task with real inputs and return its output. With `debug`, the
   * worker opens its inspector and waits for a debugger before the task's
   * function is called (what `--inspect-brk` does for a whole process).
   */
  | { type: "run"; id: number; entity: string; inputs: Record<string, WireValue>; attempt: AttemptRef; debug?: boolean }
  /** Run a dynamic body with real inputs and return the graph it builds. */
  | { type: "expand"; id: number; entity: string; inputs: Record<string, WireValue>; attempt: AttemptRef; debug?: boolean };

/** Where a paused job's inspector listens, on the worker's own loopback. */
export interface InspectorEndpoint {
  port: number;
  /** The inspector's WebSocket path (`/<uuid>`), for a debugger told the exact address. */
  path: string;
  /**
   * The bundle as this worker loaded it. Where that is not the debugger's
   * machine (a pod), the debugger maps its folder to the local copy of the
   * same bundle (VS Code: `remoteRoot` → `localRoot`) to find the source map.
   */
  bundlePath: string;
}

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
  /** The job's inspector is open and the job waits for a debugger to attach. */
  | { type: "debugger"; id: number; endpoint: InspectorEndpoint }
  /** Output a job's code wrote, attributed to that job. */
  | { type: "log"; id: number; stream: "stdout" | "stderr"; text: string };

/** Exit code of a worker whose bundle failed to load: restarting it will not help. */
export const BUNDLE_LOAD_EXIT_CODE = 78;
