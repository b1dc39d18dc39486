/**
 * Runs one recorded node again, on this machine, in a worker of its own
 * that loads the execution's bundle: the same job the engine sent (a task's
 * `run`, a dynamic's `expand`) with the inputs the node received, under a
 * fresh attempt number so its scratch space is its own. Nothing is written
 * to any store: a replay is for looking, not part of the execution.
 */
import type { ErrorInfo } from "../../compiler/errors.ts";
import { describeBundle } from "../engine/launch.ts";
import { parseDuration } from "../engine/retry-policy.ts";
import type { InspectorEndpoint, JobResult } from "../worker/protocol.ts";
import { WorkerPool, workerEntry } from "../worker/worker-pool.ts";
import type { ReplayPlan } from "./replay-source.ts";

export interface ReplayOptions {
  /** Pause before the node's code runs until a debugger attaches (and lets it run). */
  pause: boolean;
  blobRoot: string;
  onDebugger?: (endpoint: InspectorEndpoint, attempt: number) => void;
  onLog?: (stream: "stdout" | "stderr", text: string) => void;
  /** Aborting ends the worker (a paused one blocks on its debugger, deaf to anything else); the job fails as POOL_CLOSED. */
  signal?: AbortSignal;
}

export interface ReplayOutcome {
  attempt: number;
  result: JobResult;
  durationMs: number;
}

export async function replayNode(plan: ReplayPlan, options: ReplayOptions): Promise<ReplayOutcome> {
  const { node } = plan;
  const { entry, execArgv } = workerEntry();
  const pool = new WorkerPool({
    bundlePath: plan.bundlePath,
    blobRoot: options.blobRoot,
    size: 1,
    entry,
    execArgv,
    onStrayOutput: (stream, text) => options.onLog?.(stream, text),
  });
  // Numbered after every recorded attempt: a replay never shares an attempt's scratch folder.
  const attempt = Math.max(node.attempts, 0) + 1;
  const stop = () => void pool.close();
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    if (options.signal?.aborted) stop();
    await pool.start();
    const entities = await describeBundle(pool);
    // A person stepping through the code takes as long as they take; a replay left to run keeps the task's timeout.
    const timeoutMs = options.pause ? undefined : parseDuration(entities.get(node.entity)?.options.timeout);
    const started = Date.now();
    const result = await pool.run(
      {
        type: node.kind === "dynamic" ? "expand" : "run",
        entity: node.entity,
        inputs: node.inputs,
        attempt: { executionId: plan.executionId, nodeId: node.id, attempt },
        ...(options.pause ? { debug: true } : {}),
      },
      {
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        onDebugger: (endpoint) => options.onDebugger?.(endpoint, attempt),
        onLog: (stream, text) => options.onLog?.(stream, text),
      },
    );
    return { attempt, result: withNode(result, node.id), durationMs: Date.now() - started };
  } finally {
    options.signal?.removeEventListener("abort", stop);
    await pool.close();
  }
}

/** Errors name the node, as the engine's do. */
function withNode(result: JobResult, nodeId: string): JobResult {
  if (result.ok) return result;
  const error: ErrorInfo = { ...result.error, node: result.error.node ?? nodeId };
  return { ok: false, error };
}
