/**
 * The embedded runner: everything a local run needs (bundle, interfaces,
 * state store, blob store, warm worker pool) behind a few calls: `prepare`,
 * `run`, `resume` and `cancel`. The CLI uses it; so will the editor.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { CompilerDiagnostic } from "../compiler/diagnostics.ts";
import type { Graph } from "../compiler/graph.ts";
import type { EntityInterface } from "../compiler/type-spec.ts";
import { BlobStore } from "./blobs/blob-store.ts";
import { bundleWorkflowFile, type Bundle } from "./bundle/bundler.ts";
import { loadInterfaces } from "./bundle/interfaces-cache.ts";
import type { WireValue } from "./data/wire.ts";
import { AloftError, type ErrorInfo } from "../compiler/errors.ts";
import type { ExecutionListener } from "./engine/events.ts";
import { ExecutionLock } from "./engine/execution-lock.ts";
import type { DebugRequest } from "./engine/debug-target.ts";
import type { EngineContext, Execution } from "./engine/execution.ts";
import { createExecution, describeBundle, loadExecution } from "./engine/launch.ts";
import { LogSink } from "./engine/log-sink.ts";
import type { BackoffOptions } from "./engine/retry-policy.ts";
import { openSqliteStore } from "./store/sqlite-store.ts";
import type { ExecutionRecord, StateStore } from "./store/state-store.ts";
import type { EntityDescription } from "./worker/protocol.ts";
import { WorkerPool, workerEntry } from "./worker/worker-pool.ts";
import type { Workspace } from "./workspace.ts";

export interface PreparedFile {
  file: string;
  bundle: Bundle;
  interfaces: Record<string, EntityInterface>;
  diagnostics: CompilerDiagnostic[];
}

export interface RunOptions {
  listener?: ExecutionListener;
  /** Warm worker processes; defaults to the machine's cores. */
  workers?: number;
  backoff?: BackoffOptions;
  /** Called with the execution id as soon as it is recorded. */
  onCreated?: (executionId: string) => void;
  /** The domain the execution runs in; "development" when absent. */
  domain?: string;
  /** Pause one attempt for a debugger. */
  debug?: DebugRequest;
}

/** How often a local run looks for a cancel request made from another process (`aloft executions cancel`). */
const CANCEL_POLL_MS = 250;
/** How long `cancel` waits for the process that runs an execution to end it. */
const CANCEL_WAIT_MS = 30_000;

export class LocalRunner {
  readonly store: StateStore;
  readonly blobs: BlobStore;

  constructor(readonly workspace: Workspace) {
    this.store = openSqliteStore(workspace.database);
    this.blobs = new BlobStore(workspace.blobs);
  }

  /** Bundles `file` and reads its entities' interfaces (both cached by content). */
  async prepare(file: string): Promise<PreparedFile> {
    const bundle = await bundleWorkflowFile(file, this.workspace.bundles);
    const { entities, diagnostics } = loadInterfaces(file, this.workspace.bundles);
    const interfaces = Object.fromEntries(entities.map((e) => [e.name, e]));
    return { file: resolve(file), bundle, interfaces, diagnostics };
  }

  async run(prepared: PreparedFile, entity: string, inputs: Record<string, WireValue>, options: RunOptions = {}): Promise<ExecutionRecord> {
    return this.withPool(prepared.bundle.path, options, async (pool, ctx) => {
      const entities = await describeBundle(pool);
      const execution = await createExecution(ctx, entities, {
        file: prepared.file,
        entity,
        bundleHash: prepared.bundle.hash,
        bundlePath: prepared.bundle.path,
        interfaces: prepared.interfaces,
        inputs,
        ...(options.domain === undefined ? {} : { domain: options.domain }),
      });
      const lock = ExecutionLock.acquire(this.workspace.locks, execution.id);
      options.onCreated?.(execution.id);
      try {
        return await this.runCancellable(execution);
      } finally {
        lock.release();
      }
    });
  }

  async resume(executionId: string, options: RunOptions = {}): Promise<ExecutionRecord> {
    const record = await this.store.getExecution(executionId);
    if (!record) {
      throw new AloftError({ code: "EXECUTION_NOT_FOUND", message: `no execution ${executionId} in ${this.workspace.database}` });
    }
    const lock = ExecutionLock.acquire(this.workspace.locks, executionId);
    try {
      return await this.withPool(record.bundlePath, options, async (pool, ctx) => {
        const entities = await describeBundle(pool);
        const execution = await loadExecution(ctx, entities, record);
        options.onCreated?.(execution.id);
        return this.runCancellable(execution);
      });
    } finally {
      lock.release();
    }
  }

  /**
   * Cancels a running execution of this workspace. One that another process
   * runs (`aloft run`, `aloft executions resume`, or a runner service started
   * in this workspace) is asked to cancel, and waited for; a local run that no
   * process runs any more (it was killed) is ended here, its open attempts
   * closed. Resolves with the execution as it is then: already ended ones are
   * left as they are.
   */
  async cancel(executionId: string): Promise<ExecutionRecord> {
    const record = await this.store.getExecution(executionId);
    if (!record) throw new AloftError({ code: "EXECUTION_NOT_FOUND", message: `no execution ${executionId} in ${this.workspace.database}` });
    if (record.status !== "running") return record;
    const driver = ExecutionLock.holder(this.workspace.locks, executionId);
    // Submitted executions (they have a descriptor) belong to a runner service, which looks for cancel requests as it renews its lease.
    const submitted = record.descriptor !== undefined;
    if (driver !== undefined || submitted) {
      await this.store.requestCancel(executionId);
      for (const deadline = Date.now() + CANCEL_WAIT_MS; ; await sleep(100)) {
        const now = (await this.store.getExecution(executionId))!;
        if (now.status !== "running") return now;
        if (Date.now() > deadline) {
          const who = driver !== undefined ? `process ${driver} runs execution ${executionId} and` : `execution ${executionId} belongs to a runner service of this workspace, which`;
          throw new AloftError({
            code: "CANCEL_PENDING",
            message: `${who} has not ended it within ${CANCEL_WAIT_MS / 1000} s of the request; it ends it when it next looks (a runner service, once it runs again)`,
          });
        }
      }
    }
    // No process runs it: end it here, holding its lock so that no resume starts meanwhile.
    const lock = ExecutionLock.acquire(this.workspace.locks, executionId);
    try {
      const error = { code: "CANCELLED", kind: "user" as const, entity: record.entity, message: "cancelled by request while no process ran it" };
      await this.store.finishExecution(executionId, { status: "cancelled", error, endedAt: Date.now() });
    } finally {
      lock.release();
    }
    return (await this.store.getExecution(executionId))!;
  }

  /** The graph a workflow's body builds, traced in a worker as a run would. */
  async trace(prepared: PreparedFile, entity: string): Promise<Graph> {
    const [result] = await this.traceEach(prepared, [entity]);
    if (!result || "error" in result) throw new AloftError(result?.error ?? { code: "TRACE_FAILED", message: `trace of "${entity}" failed` });
    return result.graph;
  }

  /**
   * What a runner service needs of a file's bundle before it can run it
   * remotely: the entities it exports, and the graph of every workflow,
   * traced here (workflow bodies run on the client, never in the service).
   */
  async describeAndTrace(prepared: PreparedFile): Promise<{ entities: EntityDescription[]; graphs: Record<string, Graph>; errors: Record<string, ErrorInfo> }> {
    return this.withPool(prepared.bundle.path, { workers: 1 }, async (pool) => {
      const entities = [...(await describeBundle(pool)).values()];
      const graphs: Record<string, Graph> = {};
      const errors: Record<string, ErrorInfo> = {};
      for (const entity of entities.filter((e) => e.kind === "workflow")) {
        const inputs = Object.keys(prepared.interfaces[entity.name]?.inputs ?? {});
        const result = await pool.run({ type: "trace", entity: entity.name, inputs });
        if (!result.ok) errors[entity.name] = result.error;
        else if ("graph" in result) graphs[entity.name] = result.graph;
      }
      return { entities, graphs, errors };
    });
  }

  /** Traces several workflows of one file with one worker: each its graph or its error. */
  async traceEach(prepared: PreparedFile, entities: readonly string[]): Promise<({ graph: Graph } | { error: ErrorInfo })[]> {
    return this.withPool(prepared.bundle.path, { workers: 1 }, async (pool) => {
      const results: ({ graph: Graph } | { error: ErrorInfo })[] = [];
      for (const entity of entities) {
        const inputs = Object.keys(prepared.interfaces[entity]?.inputs ?? {});
        const result = await pool.run({ type: "trace", entity, inputs });
        if (!result.ok) results.push({ error: result.error });
        else if ("graph" in result) results.push({ graph: result.graph });
        else throw new Error(`trace of "${entity}" returned no graph`);
      }
      return results;
    });
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /** Runs `execution`, cancelling it when another process asks for it through the store (see `cancel`). */
  private async runCancellable(execution: Execution): Promise<ExecutionRecord> {
    let asked = false;
    const timer = setInterval(() => {
      if (asked) return;
      // A store that fails here fails the run's own writes too, which report it.
      this.store.getExecution(execution.id).then((record) => {
        if (asked || record?.cancelRequestedAt === undefined) return;
        asked = true;
        void execution.cancel("cancelled by request (aloft executions cancel)");
      }, () => {});
    }, CANCEL_POLL_MS);
    timer.unref();
    try {
      return await execution.run();
    } finally {
      clearInterval(timer);
    }
  }

  private async withPool<T>(
    bundlePath: string,
    options: RunOptions,
    body: (pool: WorkerPool, ctx: EngineContext) => Promise<T>,
  ): Promise<T> {
    const { entry, execArgv } = workerEntry();
    const pool = new WorkerPool({
      bundlePath,
      blobRoot: this.workspace.blobs,
      size: options.workers ?? Math.max(2, availableParallelism()),
      entry,
      execArgv,
    });
    const logs = new LogSink(this.workspace.logs);
    try {
      await pool.start();
      return await body(pool, { store: this.store, executor: pool, logs, listener: options.listener, backoff: options.backoff, ...(options.debug ? { debug: options.debug } : {}) });
    } finally {
      logs.closeAll();
      await pool.close();
    }
  }
}
