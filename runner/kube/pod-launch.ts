/**
 * How an attempt's pod gets its code: the executor asks a `PodLaunch` for the
 * container to run and knows nothing more. The real one runs a small agent
 * that fetches the bundle and inputs from the runner service with a token
 * scoped to the attempt, runs the task, uploads its outputs and reports the
 * `JobResult` to the runner, where `AttemptReports` finds it.
 */
import type { Job } from "../engine/executor.ts";
import type { AttemptRef } from "../worker/protocol.ts";

/** A stock Node image: pure-JavaScript tasks need no image build, the agent fetches the bundle. */
export const DEFAULT_POD_IMAGE = "node:20-slim";

/** The jobs that run in pods: one attempt of a task, or of a dynamic body. */
export type AttemptJob = Extract<Job, { type: "run" | "expand" }>;

export interface PodContainer {
  /** When unset: the task's image, else `DEFAULT_POD_IMAGE`. */
  image?: string;
  command: string[];
  args?: string[];
  env?: Record<string, string>;
}

export interface LaunchRequest {
  job: AttemptJob;
  attempt: AttemptRef;
  pod: { name: string; namespace: string };
  /** The task's image, when it has one. */
  image?: string;
}

export interface PodLaunch {
  container(request: LaunchRequest): PodContainer | Promise<PodContainer>;
}
