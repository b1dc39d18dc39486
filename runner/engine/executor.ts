/**
 * What the engine needs from whatever runs user code: the local warm worker
 * pool now, Kubernetes pods later. One job at a time per slot.
 */
import type { Resources, ReuseOptions } from "../../sdk/types.ts";
import type { InspectorEndpoint, JobResult, RunnerToWorker } from "../worker/protocol.ts";

export type Job = RunnerToWorker extends infer M ? (M extends { id: number } ? Omit<M, "id"> : never) : never;

export interface JobOptions {
  timeoutMs?: number;
  onLog?: (stream: "stdout" | "stderr", text: string) => void;
  /** What a pod needs to know of the task: its image, resources and warm-worker reuse (already validated). */
  task?: { image?: string; resources?: Resources; reuse?: ReuseOptions };
  /** Aborting it cancels the job where the backend supports it (the Kubernetes one deletes the pod); it then fails as cancelled. */
  signal?: AbortSignal;
  /**
   * Aborted when this runner stops waiting on the job without ending it:
   * another replica took the execution over and adopts what outlives this
   * runner (see `resume`). A job not started yet is not started; one under
   * way is left running. Only for executors with `resume`.
   */
  detach?: AbortSignal;
  /**
   * For `resume`: how many bytes of the attempt's output a previous runner
   * process already kept, which a backend that reads the output again from
   * its start (a pod's log) skips instead of repeating.
   */
  logBytesKept?: number;
  /** A job sent with `debug` is paused and its inspector listens here (on the worker's or the pod's loopback). */
  onDebugger?: (endpoint: InspectorEndpoint) => void;
}

export interface TaskExecutor {
  /** Jobs that can run at once. */
  readonly size: number;
  run(job: Job, options?: JobOptions): Promise<JobResult>;
  /**
   * Waits again on an attempt that was under way when the runner stopped
   * (its job runs on, outside the runner: a pod). Executors whose jobs die
   * with the runner (local worker processes) leave it out, and a resumed
   * execution runs such attempts again.
   */
  resume?(job: Extract<Job, { attempt: unknown }>, options?: JobOptions): Promise<JobResult>;
}
