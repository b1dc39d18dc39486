/**
 * Where the runner service runs tasks: local processes (the warm worker pool,
 * for a runner on a developer's machine or in tests) or Kubernetes pods. Each
 * execution opens a session over its own bundle and closes it when it ends.
 */
import type { TaskExecutor } from "../engine/executor.ts";
import type { ExecutionRecord } from "../store/state-store.ts";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { WorkerPool, workerEntry } from "../worker/worker-pool.ts";
import type { InspectorReach } from "./paused-attempts.ts";

export interface BackendSession extends InspectorReach {
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
    return {
      executor: pool,
      close: () => pool.close(),
      // The worker listens on this machine's loopback.
      connectInspector: (_attempt, endpoint) => connectTcp(endpoint.port),
    };
  }

  async close(): Promise<void> {}
}

function connectTcp(port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}
