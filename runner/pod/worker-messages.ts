/**
 * What a warm worker pod and the runner say over the worker's WebSocket. The
 * socket carries only dispatch and logs: the worker fetches each attempt's
 * job and blobs, uploads its outputs and reports its result over the same
 * HTTP attempt routes as a one-attempt pod, with the attempt token the job
 * message brings, so a result is stored before the runner hears "done".
 */

/** The worker's WebSocket, opened with its worker token. */
export const WORKER_CONNECT_PATH = "/workers/connect";
/** The agent's code, as a worker pod's bootstrap fetches it. */
export const WORKER_AGENT_PATH = "/workers/agent.mjs";

/** Set on worker pods only; the agent runs as a warm worker when it is. */
export const WORKER_ENV = { token: "ALOFT_WORKER_TOKEN", mode: "ALOFT_AGENT_MODE", heartbeat: "ALOFT_WORKER_HEARTBEAT_MS" } as const;
export const WORKER_MODE = "worker";

export type RunnerToWorkerPod = {
  type: "job";
  /** `attemptKey(ref)`: the attempt routes' key. */
  attempt: string;
  /** The attempt token for that attempt's routes. */
  token: string;
};

export type WorkerPodToRunner =
  | { type: "log"; attempt: string; stream: "stdout" | "stderr"; text: string }
  /** The result is stored (POSTed to the attempt's result route). */
  | { type: "done"; attempt: string }
  /** The worker could not run or report the attempt (the runner unreachable, the attempt gone). */
  | { type: "failed"; attempt: string; message: string };

export function parseWorkerPodMessage(text: string): WorkerPodToRunner | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const message = value as Record<string, unknown> | null;
  if (typeof message !== "object" || message === null || typeof message.attempt !== "string") return undefined;
  switch (message.type) {
    case "log":
      return (message.stream === "stdout" || message.stream === "stderr") && typeof message.text === "string" ? (message as WorkerPodToRunner) : undefined;
    case "done":
      return message as WorkerPodToRunner;
    case "failed":
      return typeof message.message === "string" ? (message as WorkerPodToRunner) : undefined;
    default:
      return undefined;
  }
}

export function parseRunnerMessage(text: string): RunnerToWorkerPod | undefined {
  try {
    const message = JSON.parse(text) as Record<string, unknown> | null;
    return message?.type === "job" && typeof message.attempt === "string" && typeof message.token === "string" ? (message as RunnerToWorkerPod) : undefined;
  } catch {
    return undefined;
  }
}
