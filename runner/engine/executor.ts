/**
 * What the engine needs from whatever runs user code: the local warm worker
 * pool now, Kubernetes pods later. One job at a time per slot.
 */
import type { JobResult, RunnerToWorker } from "../worker/protocol.ts";

export type Job = RunnerToWorker extends infer M ? (M extends { id: number } ? Omit<M, "id"> : never) : never;

export interface JobOptions {
  timeoutMs?: number;
  onLog?: (stream: "stdout" | "stderr", text: string) => void;
}

export interface TaskExecutor {
  /** Jobs that can run at once. */
  readonly size: number;
  run(job: Job, options?: JobOptions): Promise<JobResult>;
}
