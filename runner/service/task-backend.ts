/**
 * Where the runner service runs tasks: local processes (the warm worker pool,
 * for a runner on a developer's machine or in tests) or Kubernetes pods. Each
 * execution opens a session over its own bundle and closes it when it ends.
 */
import type { TaskExecutor } from "../engine/executor.ts";
import type { ExecutionRecord } from "../store/state-store.ts";
import { WorkerPool, workerEntry } from "../worker/worker-pool.ts";

export interface BackendSession {
  executor: TaskExecutor;
  close(): Promise<void>;
}

export interface TaskBackend {
  /** Shown at start: "local processes", "Kubernetes (context kind-dev, namespace aloft)". */
  readonly description: string;
  /** Checks at start that tasks can run at all (the cluster answers, the namespace exists). */
  verify?(): Promise<void>;
  open(execution: ExecutionRecord): Promise<BackendSession>;
  close(): Promise<void>;
}

/** Tasks of each execution in its own pool of warm worker processes on this machine. */
export class LocalProcessBackend implements TaskBackend {
  readonly description: string;

  constructor(private readonly options: { blobRoot: string; workers: number }) {
    this.description = `local processes (${options.workers} warm workers per execution)`;
  }

  async open(execution: ExecutionRecord): Promise<BackendSession> {
    const { entry, execArgv } = workerEntry();
    const pool = new WorkerPool({ bundlePath: execution.bundlePath, blobRoot: this.options.blobRoot, size: this.options.workers, entry, execArgv });
    await pool.start();
    return { executor: pool, close: () => pool.close() };
  }

  async close(): Promise<void> {}
}
