/**
 * Drives one execution to its end: starts nodes whose inputs are ready,
 * consults the cache, runs attempts with retries and backoff, expands maps,
 * sub-workflows and dynamics, and records every transition in the store
 * before acting on it, so a killed runner can resume where it stopped.
 *
 * Store calls are asynchronous, so each transition is a step: change the
 * in-memory record (so guards see it at once), await the write, then act.
 * Anything may have happened during the await (a node failed, the run was
 * cancelled or abandoned), so every step looks again before it acts. Jobs
 * and traces run outside steps: a cancellation waits for writes under way,
 * not for tasks.
 */
import type { Graph } from "../../compiler/graph.ts";
import type { TaskOptions } from "../../sdk/types.ts";
import type { WireValue } from "../data/wire.ts";
import { hashWire, validate } from "../data/type-engine.ts";
import { AloftError, type ErrorInfo } from "../../compiler/errors.ts";
import type { AttemptFence, CacheEntry, ExecutionEnd, ExecutionRecord, NodePatch, NodeRecord, StateStore } from "../store/state-store.ts";
import type { AttemptRef, EntityDescription, JobResult } from "../worker/protocol.ts";
import { mapItems, resolveBinding, resolveInputs } from "./bindings.ts";
import { cacheKey, taskVersion } from "./cache-key.ts";
import type { ExecutionListener } from "./events.ts";
import type { Job, JobOptions, TaskExecutor } from "./executor.ts";
import { buildScope, lookupIn, readyNodes, type LiveNode, type Scope } from "./live-graph.ts";
import { matchesDebugTarget, type DebugRequest } from "./debug-target.ts";
import { keptLog, type LogSink } from "./log-sink.ts";
import { backoffDelay, DEFAULT_BACKOFF, failureHistory, parseDuration, shouldRetry, type BackoffOptions } from "./retry-policy.ts";

export interface EngineContext {
  store: StateStore;
  executor: TaskExecutor;
  logs: LogSink;
  backoff?: BackoffOptions;
  listener?: ExecutionListener;
  /** Attempts handed to the executor at once; the rest wait in order. */
  parallelism?: number;
  /**
   * A runner replica's lease: each attempt starts only while the replica holds
   * the execution (else LeaseLostError, which ends `run` with that error).
   */
  fence?: AttemptFence;
  /** Pause one attempt for a debugger (`aloft run --debug NODE`). */
  debug?: DebugRequest;
}

/** Map items looked up in the cache, and their hits recorded, per store call. */
const MAP_BATCH = 1000;

interface AttemptClose {
  attempt: number;
  endedAt: number;
}

export class Execution {
  private readonly queue: LiveNode[] = [];
  private queueHead = 0;
  /** Attempts, traces and retry timers under way. */
  private busy = 0;
  /** Steps under way: each writes to the store, then acts on what it wrote. */
  private steps = 0;
  private failure: ErrorInfo | undefined;
  private cancellation: ErrorInfo | undefined;
  /** Set once the end is being written (or the run was abandoned or aborted): no step acts after it. */
  private finished = false;
  private started = false;
  private runSettled = false;
  private settle!: { resolve: (record: ExecutionRecord) => void; reject: (error: unknown) => void };
  private readonly settled: Promise<ExecutionRecord>;
  private readonly versions = new Map<string, string>();
  private readonly graphs = new Map<string, Promise<Graph>>();
  private readonly parallelism: number;
  private lastMapProgress = 0;
  /** Aborted on cancel and abandon: jobs under way stop where the executor can stop them. */
  private readonly jobs = new AbortController();
  /** Aborted on abandon, when the executor can resume jobs: they are left to the replica that took over. */
  private readonly detachedJobs = new AbortController();
  /** The node chosen for `--debug`, and whether its (one) paused attempt has started. */
  private debugNodeId: string | undefined;
  private debugTaken = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly record: ExecutionRecord,
    private readonly entities: ReadonlyMap<string, EntityDescription>,
    private readonly root: Scope,
    /** Records of a resumed run not yet attached to a live node. */
    private readonly existing: Map<string, NodeRecord>,
    /** Attempts left open by a stopped runner, by node, that the executor can wait on again. */
    private readonly resumable: Map<string, number> = new Map(),
  ) {
    this.parallelism = ctx.parallelism ?? Math.max(1, ctx.executor.size * 2);
    this.settled = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // Whoever awaits `run` sees a failure; this keeps an unawaited one from crashing the process.
    this.settled.catch(() => {});
  }

  get id(): string {
    return this.record.id;
  }

  /**
   * Runs the execution to its end and resolves with its final record. Rejects
   * when the store fails or the lease is lost: the execution stays `running`
   * in the store, for `resume` (or another replica) to pick up.
   */
  run(): Promise<ExecutionRecord> {
    if (!this.started) {
      this.started = true;
      this.emit({ type: "execution", execution: { ...this.record } });
      if (this.root.unfinished === 0) this.spawn(() => this.scopeDone(this.root));
      else this.startScope(this.root);
      this.pump();
      this.settleIfIdle();
    }
    return this.settled;
  }

  /**
   * Ends the execution as cancelled: nothing new starts, attempts under way
   * are closed as cancelled and their results ignored. Resolves with the
   * final record once it is written.
   */
  cancel(reason: string): Promise<ExecutionRecord> {
    if (!this.finished) {
      this.cancellation ??= { code: "CANCELLED", kind: "user", entity: this.record.entity, message: reason };
      this.jobs.abort(new AloftError(this.cancellation));
      this.settleIfIdle();
    }
    return this.settled;
  }

  /**
   * Stops driving without writing anything more (another replica took the
   * execution over); resolves with the record as this runner last knew it.
   */
  abandon(): Promise<ExecutionRecord> {
    this.finished = true;
    const reason = new AloftError({ code: "EXECUTION_ABANDONED", kind: "system", message: `this runner stopped driving execution ${this.record.id}` });
    // Jobs that outlive this runner (pods) are the other replica's now, which adopts them; others would only be run again there.
    if (this.ctx.executor.resume) this.detachedJobs.abort(reason);
    else this.jobs.abort(reason);
    return this.release();
  }

  /**
   * Stops driving and leaves what runs alone: the runner is shutting down.
   * The execution stays `running` in the store; its pods run on, to be
   * adopted by the runner that resumes it (local workers die with the pool).
   */
  release(): Promise<ExecutionRecord> {
    this.finished = true;
    if (!this.runSettled) {
      this.runSettled = true;
      this.ctx.logs.closeAll();
      this.settle.resolve({ ...this.record });
    }
    return this.settled;
  }

  /** No new work starts: a node failed, the run is being cancelled, or it ended. */
  private get stopping(): boolean {
    return this.failure !== undefined || this.cancellation !== undefined || this.finished;
  }

  // ---- steps ----------------------------------------------------------------

  /** Runs a step; a step that fails (the store failed, the lease was lost) ends the run with its error. */
  private spawn(step: () => Promise<void>): void {
    this.steps++;
    step().then(
      () => {
        this.steps--;
        this.settleIfIdle();
      },
      (error: unknown) => {
        this.steps--;
        this.abort(error);
      },
    );
  }

  private abort(error: unknown): void {
    this.finished = true;
    if (this.runSettled) return;
    this.runSettled = true;
    this.ctx.logs.closeAll();
    this.settle.reject(error);
  }

  private settleIfIdle(): void {
    if (this.finished || this.steps > 0) return;
    const cancellation = this.cancellation;
    const failure = this.failure;
    if (cancellation) this.spawn(() => this.finish("cancelled", undefined, cancellation));
    else if (failure && this.busy === 0) this.spawn(() => this.finish("failed", undefined, failure));
  }

  // ---- nodes ----------------------------------------------------------------

  private startScope(scope: Scope): void {
    for (const node of readyNodes(scope)) this.startNode(node);
  }

  private startNode(node: LiveNode): void {
    if (this.stopping) return;
    const definition = node.definition!;
    let inputs: Record<string, WireValue>;
    try {
      inputs = resolveInputs(definition.inputs, lookupIn(node.scope), `node "${node.record.id}"`);
    } catch (error) {
      this.spawn(() => this.failNode(node, asErrorInfo(error, node)));
      return;
    }
    node.record.inputs = inputs;
    const graph = node.record.graph;
    switch (definition.kind) {
      case "task":
        this.spawn(() => this.startTask(node, inputs));
        return;
      case "map":
        this.spawn(() => this.startMap(node, inputs));
        return;
      case "workflow":
        this.spawn(() => (graph ? this.enterChild(node, graph, {}) : this.startWorkflow(node, inputs)));
        return;
      case "dynamic":
        this.spawn(async () => {
          if (graph) return this.enterChild(node, graph, {});
          await this.update(node, { inputs });
          if (!this.finished) this.enqueue(node);
        });
        return;
    }
  }

  private async startTask(node: LiveNode, inputs: Record<string, WireValue>): Promise<void> {
    await this.update(node, { inputs });
    if (this.finished) return;
    const hit = await this.cacheHit(node);
    if (this.finished) return;
    if (hit) await this.complete(node, hit.outputs, true);
    else this.enqueue(node);
  }

  private async startWorkflow(node: LiveNode, inputs: Record<string, WireValue>): Promise<void> {
    await this.update(node, { inputs, status: "running", startedAt: node.record.startedAt ?? Date.now() });
    if (this.finished) return;
    this.busy++;
    this.traceGraph(node.record.entity).then(
      (graph) => {
        this.busy--;
        this.spawn(() => this.enterChild(node, graph, { graph }));
      },
      (error: unknown) => {
        this.busy--;
        this.spawn(() => this.failNode(node, asErrorInfo(error, node)));
      },
    );
  }

  private traceGraph(entity: string): Promise<Graph> {
    let graph = this.graphs.get(entity);
    if (!graph) {
      const inputs = Object.keys(this.record.interfaces[entity]?.inputs ?? {});
      graph = this.ctx.executor.run({ type: "trace", entity, inputs }).then((result) => {
        if (!result.ok) throw new AloftError(result.error);
        if (!("graph" in result)) throw new Error(`trace of "${entity}" returned no graph`);
        return result.graph;
      });
      this.graphs.set(entity, graph);
    }
    return graph;
  }

  /** Records `patch` on a workflow or dynamic node with the nodes of its graph, then runs the graph. */
  private async enterChild(node: LiveNode, graph: Graph, patch: NodePatch): Promise<void> {
    if (this.finished) return;
    const { scope, created } = buildScope(this.record.id, node, graph, node.record.inputs ?? {}, this.existing);
    const patched = Object.keys(patch).length > 0;
    if (created.length || patched) {
      Object.assign(node.record, patch);
      await this.ctx.store.expandNode(this.record.id, node.record.id, patch, created);
      if (patched) this.emitNode(node);
      if (this.finished) return;
    }
    await this.enterScope(node, scope);
  }

  private async enterScope(node: LiveNode, scope: Scope): Promise<void> {
    node.child = scope;
    if (scope.unfinished === 0) await this.scopeDone(scope);
    else this.startScope(scope);
  }

  // ---- maps ---------------------------------------------------------------

  private async startMap(node: LiveNode, inputs: Record<string, WireValue>): Promise<void> {
    const definition = node.definition!;
    let items: Record<string, WireValue>[];
    try {
      items = mapItems(inputs, definition.map?.fixed ?? [], `map over task "${definition.entity}" (node "${node.record.id}")`);
    } catch (error) {
      await this.failNode(node, asErrorInfo(error, node));
      return;
    }
    const created: NodeRecord[] = [];
    const live = items.map((itemInputs, index): LiveNode => {
      const id = `${node.record.id}[${index}]`;
      let record = this.existing.get(id);
      if (!record) {
        record = {
          executionId: this.record.id,
          id,
          parentId: node.record.id,
          entity: definition.entity,
          kind: "item",
          status: "pending",
          inputs: itemInputs,
          cached: false,
          attempts: 0,
        };
        created.push(record);
      }
      return {
        record,
        definition: undefined,
        scope: node.scope,
        waitingOn: 0,
        dependents: [],
        map: node,
      };
    });
    // On resume, succeeded items keep their outputs and failed items stay
    // failed (a failed item is final; one awaiting a retry is pending).
    node.mapState = {
      items: live,
      queue: live.filter((item) => item.record.status === "pending" || item.record.status === "running"),
      running: 0,
      succeeded: live.filter((item) => item.record.status === "succeeded").length,
      failed: live.filter((item) => item.record.status === "failed").length,
      concurrency: definition.map?.concurrency ?? Number.POSITIVE_INFINITY,
      minSuccessRatio: definition.map?.minSuccessRatio ?? 1,
      starting: false,
    };
    const patch: NodePatch = { inputs, status: "running", startedAt: node.record.startedAt ?? Date.now() };
    Object.assign(node.record, patch);
    await this.ctx.store.expandNode(this.record.id, node.record.id, patch, created);
    this.emitNode(node);
    if (this.finished) return;
    await this.startMapItems(node);
  }

  private async startMapItems(map: LiveNode): Promise<void> {
    const state = map.mapState!;
    if (state.starting) return; // the loop below, awaiting further up, fills the freed slot
    state.starting = true;
    try {
      while (state.queue.length && state.running < state.concurrency && !this.stopping && map.record.status === "running") {
        const batch = state.queue.splice(0, Math.min(MAP_BATCH, state.concurrency - state.running));
        state.running += batch.length;
        const hits = await Promise.all(batch.map((item) => this.cacheHit(item)));
        if (this.finished) return;
        const completed: { nodeId: string; patch: NodePatch }[] = [];
        batch.forEach((item, i) => {
          const hit = hits[i];
          if (!hit) return this.enqueue(item);
          const patch = this.completionPatch(item, hit.outputs, true);
          Object.assign(item.record, patch);
          completed.push({ nodeId: item.record.id, patch });
        });
        if (!completed.length) continue;
        // Cache hits complete here, many per commit.
        await this.ctx.store.updateNodes(this.record.id, completed);
        if (this.finished) return;
        state.running -= completed.length;
        state.succeeded += completed.length;
      }
    } finally {
      state.starting = false;
    }
    this.reportMapProgress(map, false);
    await this.finishMapIfDone(map);
  }

  private async itemSettled(map: LiveNode, succeeded: boolean): Promise<void> {
    const state = map.mapState!;
    state.running--;
    if (succeeded) state.succeeded++;
    else state.failed++;
    const total = state.items.length;
    if (map.record.status !== "running") return;
    if (state.failed > total * (1 - state.minSuccessRatio) + 1e-9) {
      await this.failNode(map, {
        code: "MAP_TOO_MANY_FAILURES",
        kind: "user",
        entity: map.record.entity,
        node: map.record.id,
        message: `map over task "${map.record.entity}": ${state.failed} of ${total} items failed, more than minSuccessRatio ${state.minSuccessRatio} allows (first failure: ${firstItemError(state.items)})`,
      });
      return;
    }
    await this.startMapItems(map);
  }

  private async finishMapIfDone(map: LiveNode): Promise<void> {
    const state = map.mapState!;
    if (map.record.status !== "running" || state.succeeded + state.failed < state.items.length || state.starting) return;
    this.reportMapProgress(map, true);
    const outputs = state.items.map((item) => (item.record.status === "succeeded" ? (item.record.outputs ?? null) : null));
    await this.complete(map, outputs, false);
  }

  private reportMapProgress(map: LiveNode, force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastMapProgress < 100) return;
    this.lastMapProgress = now;
    const s = map.mapState!;
    this.emit({ type: "map-progress", nodeId: map.record.id, total: s.items.length, succeeded: s.succeeded, failed: s.failed, running: s.running });
  }

  // ---- attempts -----------------------------------------------------------

  private options(entity: string): TaskOptions {
    return this.entities.get(entity)?.options ?? {};
  }

  private cacheKeyFor(node: LiveNode): string | undefined {
    const entity = node.record.entity;
    const cacheOption = this.options(entity).cache;
    if (!cacheOption) return undefined;
    let version = this.versions.get(entity);
    if (!version) {
      version = taskVersion(this.record.bundleHash, this.record.interfaces[entity], cacheOption.version);
      this.versions.set(entity, version);
    }
    return cacheKey(entity, version, hashWire(node.record.inputs ?? {}));
  }

  /** The cache entry that can complete `node` without running it, if any. */
  private async cacheHit(node: LiveNode): Promise<CacheEntry | undefined> {
    // The attempt someone wants to step through must run, even if its outputs are cached.
    if (this.isDebugTarget(node.record)) return undefined;
    const key = this.cacheKeyFor(node);
    if (!key) return undefined;
    node.record.cacheKey = key;
    return this.ctx.store.getCached(key);
  }

  private enqueue(node: LiveNode): void {
    this.queue.push(node);
    this.pump();
  }

  private pump(): void {
    while (this.queueHead < this.queue.length && this.busy < this.parallelism) {
      const node = this.queue[this.queueHead++]!;
      if (this.stopping) continue;
      this.busy++;
      this.spawn(() => this.startAttempt(node));
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Records the attempt (node `running`, attempt open), then hands its job to the executor. */
  private async startAttempt(node: LiveNode): Promise<void> {
    const { store, logs } = this.ctx;
    const record = node.record;
    // An attempt a stopped runner left open is waited on again, under its own number.
    const resumed = this.resumable.get(record.id);
    this.resumable.delete(record.id);
    const attempt = resumed ?? record.attempts + 1;
    const logPath = logs.pathFor(this.record.id, record.id, attempt);
    const startedAt = Date.now();
    Object.assign(record, { status: "running", attempts: attempt, startedAt: record.startedAt ?? startedAt } satisfies NodePatch);
    try {
      if (resumed === undefined) await store.startAttempt({ executionId: this.record.id, nodeId: record.id, attempt, status: "running", logPath, startedAt }, this.ctx.fence);
    } catch (error) {
      this.busy--;
      throw error;
    }
    this.emitNode(node);
    // A cancellation's end closes this open attempt; after an abandon or abort, resume does.
    if (this.finished || this.cancellation) {
      this.busy--;
      return;
    }
    const ref: AttemptRef = { executionId: this.record.id, nodeId: record.id, attempt };
    let running: Promise<JobResult>;
    // A resumed attempt's log goes on after what the stopped runner kept, neither repeating it nor renumbering it.
    const kept = resumed !== undefined ? keptLog(logPath) : { chunks: 0, bytes: 0 };
    let chunks = kept.chunks;
    try {
      const inputs = record.inputs ?? {};
      const debug = this.takeDebugTarget(record);
      const job: Job = { type: record.kind === "dynamic" ? "expand" : "run", entity: record.entity, inputs, attempt: ref, ...(debug ? { debug } : {}) };
      const options = this.options(record.entity);
      const executor = this.ctx.executor;
      const dispatch = resumed !== undefined && executor.resume ? executor.resume.bind(executor) : executor.run.bind(executor);
      running = dispatch(job, {
        // A person stepping through the code takes as long as they take.
        timeoutMs: debug ? undefined : parseDuration(options.timeout),
        task: podTask(options),
        onDebugger: (endpoint) => this.emit({ type: "debugger", nodeId: record.id, entity: record.entity, attempt, endpoint }),
        onLog: (stream, text) => {
          const t = Date.now();
          logs.write(logPath, stream, text, t);
          this.emit({ type: "log", nodeId: record.id, attempt, stream, text, index: chunks++, t });
        },
        signal: this.jobs.signal,
        detach: this.detachedJobs.signal,
        ...(resumed !== undefined ? { logBytesKept: kept.bytes } : {}),
      });
    } catch (error) {
      running = Promise.reject(error);
    }
    running
      .catch((error: unknown): JobResult => ({ ok: false, error: asErrorInfo(error, node, "system") }))
      .then((result) => {
        logs.close(logPath);
        this.busy--;
        this.spawn(() => this.attemptEnded(node, attempt, Date.now(), result));
      });
  }

  /** The first node that matches `--debug` is the one: later matches (other items of a map, say) run as usual. */
  private isDebugTarget(record: NodeRecord): boolean {
    if (this.debugTaken || !this.ctx.debug) return false;
    if (this.debugNodeId !== undefined) return this.debugNodeId === record.id;
    if (!matchesDebugTarget(this.ctx.debug, record)) return false;
    this.debugNodeId = record.id;
    return true;
  }

  private takeDebugTarget(record: NodeRecord): boolean {
    if (!this.isDebugTarget(record)) return false;
    this.debugTaken = true;
    return true;
  }

  private async attemptEnded(node: LiveNode, attempt: number, endedAt: number, result: JobResult): Promise<void> {
    if (this.finished) return;
    const record = node.record;
    if (result.ok && "graph" in result) {
      const graph = result.graph;
      record.graph = graph;
      const { scope, created } = buildScope(this.record.id, node, graph, record.inputs ?? {}, this.existing);
      await this.ctx.store.finishAttempt(this.attemptRef(node, attempt), { status: "succeeded", endedAt }, { node: { graph }, children: created });
      this.emitNode(node);
      if (!this.finished) await this.enterScope(node, scope);
    } else if (result.ok && "output" in result) {
      const problems = this.outputProblems(record.entity, result.output);
      if (problems) await this.attemptFailed(node, attempt, endedAt, problems);
      else await this.complete(node, result.output, false, { attempt, endedAt });
    } else if (!result.ok) {
      await this.attemptFailed(node, attempt, endedAt, { ...result.error, entity: record.entity, node: record.id });
    }
    this.pump();
  }

  private outputProblems(entity: string, output: WireValue): ErrorInfo | undefined {
    const spec = this.record.interfaces[entity]?.output;
    if (!spec) return undefined;
    const problems = validate(output, spec, "output");
    if (!problems.length) return undefined;
    return {
      code: "DATA_INVALID",
      kind: "user",
      entity,
      field: "output",
      message: `task "${entity}" returned a value that does not match its declared output: ${problems.join("; ")}`,
    };
  }

  private async attemptFailed(node: LiveNode, attempt: number, endedAt: number, error: ErrorInfo): Promise<void> {
    // The store is the source of truth, so a resumed run counts earlier attempts too.
    const attempts = await this.ctx.store.listAttempts(this.record.id, node.record.id);
    if (this.finished) return;
    const history = failureHistory(attempts.map((a) => (a.attempt === attempt ? { status: "failed", error } : a)));
    const retries = this.options(node.record.entity).retries ?? 0;
    if (this.stopping || !shouldRetry(error, history, retries)) {
      await this.failNode(node, error, { attempt, endedAt });
      return;
    }
    const patch: NodePatch = { status: "pending", error };
    Object.assign(node.record, patch);
    await this.ctx.store.finishAttempt(this.attemptRef(node, attempt), { status: "failed", endedAt, error }, { node: patch });
    this.emitNode(node);
    if (this.finished) return;
    const delay = backoffDelay(history.userFailures + history.systemFailures, this.ctx.backoff ?? DEFAULT_BACKOFF);
    this.busy++;
    setTimeout(() => {
      this.busy--;
      if (this.stopping) {
        this.settleIfIdle();
        return;
      }
      this.enqueue(node);
    }, delay);
  }

  private attemptRef(node: LiveNode, attempt: number): AttemptRef {
    return { executionId: this.record.id, nodeId: node.record.id, attempt };
  }

  // ---- transitions --------------------------------------------------------

  private completionPatch(node: LiveNode, outputs: WireValue, cached: boolean): NodePatch {
    const record = node.record;
    const patch: NodePatch = { status: "succeeded", outputs, cached, endedAt: Date.now() };
    if (record.cacheKey) patch.cacheKey = record.cacheKey;
    if (cached && record.startedAt === undefined) patch.startedAt = patch.endedAt;
    return patch;
  }

  /** Records `node` succeeded (closing its attempt and filling the cache, when it ran), then starts what waited for it. */
  private async complete(node: LiveNode, outputs: WireValue, cached: boolean, closing?: AttemptClose): Promise<void> {
    const record = node.record;
    const patch = this.completionPatch(node, outputs, cached);
    Object.assign(record, patch);
    if (closing) {
      const cache: CacheEntry | undefined = record.cacheKey
        ? { key: record.cacheKey, entity: record.entity, outputs, executionId: this.record.id, nodeId: record.id, createdAt: Date.now() }
        : undefined;
      await this.ctx.store.finishAttempt(this.attemptRef(node, closing.attempt), { status: "succeeded", endedAt: closing.endedAt }, { node: patch, cache });
    } else {
      await this.ctx.store.updateNode(this.record.id, record.id, patch);
    }
    this.emitNode(node);
    if (this.finished) return;
    if (node.map) {
      await this.itemSettled(node.map, true);
      return;
    }
    const scope = node.scope;
    scope.unfinished--;
    for (const dependent of node.dependents) {
      if (--dependent.waitingOn === 0) this.startNode(dependent);
    }
    if (scope.unfinished === 0) await this.scopeDone(scope);
  }

  /** Records `node` failed (closing its attempt, when one ran); outside a map, that fails the execution. */
  private async failNode(node: LiveNode, error: ErrorInfo, closing?: AttemptClose): Promise<void> {
    const info: ErrorInfo = { ...error, entity: error.entity ?? node.record.entity, node: node.record.id };
    const patch: NodePatch = { status: "failed", error: info, endedAt: Date.now() };
    Object.assign(node.record, patch);
    // Nothing new starts from here on; the execution's end waits for this write (a step) and for attempts under way.
    if (!node.map) this.failure ??= info;
    if (closing) await this.ctx.store.finishAttempt(this.attemptRef(node, closing.attempt), { status: "failed", endedAt: closing.endedAt, error }, { node: patch });
    else await this.ctx.store.updateNode(this.record.id, node.record.id, patch);
    this.emitNode(node);
    if (node.map && !this.finished) await this.itemSettled(node.map, false);
  }

  private async scopeDone(scope: Scope): Promise<void> {
    let output: WireValue;
    try {
      output = resolveBinding(scope.graph.output, lookupIn(scope), `outputs of "${scope.graph.entity}"`);
    } catch (error) {
      if (scope.owner) await this.failNode(scope.owner, asErrorInfo(error, scope.owner));
      else await this.finish("failed", undefined, asErrorInfo(error, undefined));
      return;
    }
    if (scope.owner) await this.complete(scope.owner, output, false);
    else await this.finish("succeeded", output, undefined);
  }

  private async finish(status: "succeeded" | "failed" | "cancelled", outputs: WireValue | undefined, error: ErrorInfo | undefined): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const endedAt = Date.now();
    const { store } = this.ctx;
    const end: ExecutionEnd = { status, endedAt };
    if (outputs !== undefined) end.outputs = outputs;
    if (error !== undefined) end.error = error;
    if (await store.finishExecution(this.record.id, end)) {
      Object.assign(this.record, end);
    } else {
      // Ended meanwhile by someone else (cancelled through the store): theirs is the end.
      Object.assign(this.record, await store.getExecution(this.record.id));
    }
    this.ctx.logs.closeAll();
    this.emit({ type: "execution", execution: { ...this.record } });
    if (this.runSettled) return;
    this.runSettled = true;
    this.settle.resolve({ ...this.record });
  }

  private async update(node: LiveNode, patch: NodePatch): Promise<void> {
    Object.assign(node.record, patch);
    await this.ctx.store.updateNode(this.record.id, node.record.id, patch);
    this.emitNode(node);
  }

  private emitNode(node: LiveNode): void {
    if (!node.map) this.emit({ type: "node", node: { ...node.record } });
  }

  private emit(event: Parameters<ExecutionListener>[0]): void {
    this.ctx.listener?.(event);
  }
}

function asErrorInfo(error: unknown, node: LiveNode | undefined, kind: ErrorInfo["kind"] = "user"): ErrorInfo {
  if (error instanceof AloftError) return { ...error.info, node: error.info.node ?? node?.record.id };
  const message = error instanceof Error ? error.message : String(error);
  return { code: "RUNNER_ERROR", kind, message, node: node?.record.id, entity: node?.record.entity, stack: error instanceof Error ? error.stack : undefined };
}

function firstItemError(items: LiveNode[]): string {
  const failed = items.find((item) => item.record.status === "failed");
  return failed?.record.error ? `${failed.record.id}: ${failed.record.error.message}` : "none recorded";
}

/**
 * What a pod needs of a task's options. An image that only names a base runs
 * that base; one that adds packages runs the image built from its spec,
 * named by the spec's content hash.
 */
function podTask(options: TaskOptions): JobOptions["task"] {
  const spec = options.image;
  const image = spec ? (spec.packages.length || spec.apt.length || Object.keys(spec.env).length ? `aloft/${spec.name}` : spec.base) : undefined;
  return { ...(image ? { image } : {}), ...(options.resources ? { resources: options.resources } : {}), ...(options.reuse ? { reuse: options.reuse } : {}) };
}
