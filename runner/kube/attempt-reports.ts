/**
 * Where an attempt's result comes from: the pod's agent reports it to the
 * runner, and the runner's store keeps it. A pod's exit code says only
 * whether the agent ended well; the result itself is read here.
 */
import type { AttemptRef, JobResult } from "../worker/protocol.ts";

export interface AttemptReports {
  /** The result the attempt's agent reported, or undefined when it reported none. */
  get(ref: AttemptRef): Promise<JobResult | undefined>;
}
