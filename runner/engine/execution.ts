/**
 * Drives one execution to its end: starts nodes whose inputs are ready,
 * consults the cache, runs attempts with retries and backoff, expands maps,
 * sub-workflows and dynamics, and records every transition in the store
 * before acting on it, so a killed runner can resume where it stopped.
 */
import type { Graph } from "../../compiler/graph.ts";
import type { TaskOptions } from "../../sdk/types.ts";
import type { WireValue } from "../data/wire.ts";
import { hashWire, validate } from "../data/type-engine.ts";
import { AloftError, type ErrorInfo } from "../../compiler/errors.ts";
import type { ExecutionRecord, NodePatch, NodeRecord, StateStore } from "../store/state-store.ts";
import type { EntityDescription } from "../worker/protocol.ts";
import { mapItems, resolveBinding, resolveInputs } from "./bindings.ts";
import { cacheKey, taskVersion } from "./cache-key.ts";
import type { ExecutionListener } from "./events.ts";
import type { TaskExecutor } from "./executor.ts";
import { buildScope, lookupIn, readyNodes, type LiveNode, type Scope } from "./live-graph.ts";
import type { LogSink } from "./log-sink.ts";
import { backoffDelay, DEFAULT_BACKOFF, failureHistory, parseDuration, shouldRetry, type BackoffOptions } from "./retry-policy.ts";

export interface EngineContext {
  store: StateStore;
  executor: TaskExecutor;
  logs: LogSink;
  backoff?: BackoffOptions;
  listener?: ExecutionListener;
  /** Attempts handed to the executor at once; the rest wait in order. */
  parallelism?: number;
}

export class Execution {
  private readonly queue: LiveNode[] = [];
  private queueHead = 0;
  /** Attempts, traces and retry timers under way. */
  private busy = 0;
  private failure: ErrorInfo | undefined;
  private finished = false;
  private resolveRun!: (record: ExecutionRecord) => void;
  private readonly versions = new Map<string, string>();
  private readonly graphs = new Map<string, Promise<Graph>>();
  private readonly parallelism: number;
  private lastMapProgress = 0;

  constructor(
    private readonly ctx: EngineContext,
    private readonly record: ExecutionRecord,
    private readonly entities: ReadonlyMap<string, EntityDescription>,
    private readonly root: Scope,
    /** Records of a resumed run not yet attached to a live node. */
    private readonly existing: Map<string, NodeRecord>,
  ) {
    this.parallelism = ctx.parallelism ?? Math.max(1, ctx.executor.size * 2);
  }

  get id(): string {
    return this.record.id;
  }

  run(): Promise<ExecutionRecord> {
    return new Promise((resolve) => {
      this.resolveRun = resolve;
      this.emit({ type: "execution", execution: { ...this.record } });
      if (this.root.unfinished === 0) this.scopeDone(this.root);
      else this.startScope(this.root);
      this.pump();
      this.settleIfIdle();
    });
  }

  private startScope(scope: Scope): void {
    for (const node of readyNodes(scope)) this.startNode(node);
  }

  private startNode(node: LiveNode): void {
    if (this.failure) return;
    const definition = node.definition!;
    let inputs: Record<string, WireValue>;
    try {
      inputs = resolveInputs(definition.inputs, lookupIn(node.scope), `node "${node.record.id}"`);
    } catch (error) {
      this.failNode(node, asErrorInfo(error, node));
      return;
    }
    node.record.inputs = inputs;
    switch (definition.kind) {
      case "task":
        this.update(node, { inputs });
        if (!this.tryCache(node)) this.enqueue(node);
        return;
      case "map":
        this.startMap(node, inputs);
        return;
      case "workflow":
        if (node.record.graph) return this.enterChild(node, node.record.graph);
        this.update(node, { inputs, status: "running", startedAt: node.record.startedAt ?? Date.now() });
        this.busy++;
        this.traceGraph(definition.entity).then(
          (graph) => {
            this.busy--;
            this.update(node, { graph });
            this.enterChild(node, graph);
          },
          (error) => {
            this.busy--;
            this.failNode(node, asErrorInfo(error, node));
          },
        );
        return;
      case "dynamic":
        if (node.record.graph) return this.enterChild(node, node.record.graph);
        this.update(node, { inputs });
        this.enqueue(node);
        return;
    }
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

  private enterChild(node: LiveNode, graph: Graph): void {
    const { scope, created } = buildScope(this.record.id, node, graph, node.record.inputs ?? {}, this.existing);
    if (created.length) this.ctx.store.insertNodes(created);
    node.child = scope;
    if (scope.unfinished === 0) this.scopeDone(scope);
    else this.startScope(scope);
  }

  // ---- maps ---------------------------------------------------------------

  private startMap(node: LiveNode, inputs: Record<string, WireValue>): void {
    const definition = node.definition!;
    let items: Record<string, WireValue>[];
    try {
      items = mapItems(inputs, definition.map?.fixed ?? [], `map over task "${definition.entity}" (node "${node.record.id}")`);
    } catch (error) {
      this.failNode(node, asErrorInfo(error, node));
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
    this.ctx.store.transaction(() => {
      if (created.length) this.ctx.store.insertNodes(created);
      this.update(node, { inputs, status: "running", startedAt: node.record.startedAt ?? Date.now() });
    });
    this.startMapItems(node);
  }

  private startMapItems(map: LiveNode): void {
    const state = map.mapState!;
    if (state.starting) return; // the loop below, further up the stack, fills the freed slot
    state.starting = true;
    try {
      // One transaction for the batch: cache hits complete here, many per commit.
      this.ctx.store.transaction(() => {
        while (state.queue.length && state.running < state.concurrency && !this.failure && map.record.status === "running") {
          const item = state.queue.shift()!;
          state.running++;
          if (!this.tryCache(item)) this.enqueue(item);
        }
      });
    } finally {
      state.starting = false;
    }
    this.reportMapProgress(map, false);
    this.finishMapIfDone(map);
  }

  private itemSettled(map: LiveNode, succeeded: boolean): void {
    const state = map.mapState!;
    state.running--;
    if (succeeded) state.succeeded++;
    else state.failed++;
    const total = state.items.length;
    if (map.record.status !== "running") return;
    if (state.failed > total * (1 - state.minSuccessRatio) + 1e-9) {
      this.failNode(map, {
        code: "MAP_TOO_MANY_FAILURES",
        kind: "user",
        entity: map.record.entity,
        node: map.record.id,
        message: `map over task "${map.record.entity}": ${state.failed} of ${total} items failed, more than minSuccessRatio ${state.minSuccessRatio} allows (first failure: ${firstItemError(state.items)})`,
      });
      return;
    }
    this.startMapItems(map);
  }

  private finishMapIfDone(map: LiveNode): void {
    const state = map.mapState!;
    if (map.record.status !== "running" || state.succeeded + state.failed < state.items.length || state.starting) return;
    this.reportMapProgress(map, true);
    const outputs = state.items.map((item) => (item.record.status === "succeeded" ? (item.record.outputs ?? null) : null));
    this.complete(map, outputs, false);
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

  /** Completes `node` from the cache when it can; says whether it did. */
  private tryCache(node: LiveNode): boolean {
    const key = this.cacheKeyFor(node);
    if (!key) return false;
    node.record.cacheKey = key;
    const hit = this.ctx.store.getCached(key);
    if (!hit) return false;
    this.complete(node, hit.outputs, true);
    return true;
  }

  private enqueue(node: LiveNode): void {
    this.queue.push(node);
    this.pump();
  }

  private pump(): void {
    while (this.queueHead < this.queue.length && this.busy < this.parallelism) {
      const node = this.queue[this.queueHead++]!;
      if (this.failure) continue;
      void this.attempt(node);
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
  }

  private async attempt(node: LiveNode): Promise<void> {
    this.busy++;
    const { store, logs } = this.ctx;
    const record = node.record;
    const attempt = record.attempts + 1;
    const logPath = logs.pathFor(this.record.id, record.id, attempt);
    const startedAt = Date.now();
    store.transaction(() => {
      this.update(node, { status: "running", attempts: attempt, startedAt: record.startedAt ?? startedAt });
      store.startAttempt({ executionId: this.record.id, nodeId: record.id, attempt, status: "running", logPath, startedAt });
    });
    const options = this.options(record.entity);
    const ref = { executionId: this.record.id, nodeId: record.id, attempt };
    const inputs = record.inputs ?? {};
    let result;
    try {
      result = await this.ctx.executor.run(
        record.kind === "dynamic"
          ? { type: "expand", entity: record.entity, inputs, attempt: ref }
          : { type: "run", entity: record.entity, inputs, attempt: ref },
        {
          timeoutMs: parseDuration(options.timeout),
          onLog: (stream, text) => {
            logs.write(logPath, stream, text);
            this.emit({ type: "log", nodeId: record.id, attempt, stream, text });
          },
        },
      );
    } catch (error) {
      result = { ok: false as const, error: asErrorInfo(error, node, "system") };
    } finally {
      logs.close(logPath);
      this.busy--;
    }
    const endedAt = Date.now();
    if (result.ok && "graph" in result) {
      store.transaction(() => {
        store.finishAttempt(this.record.id, record.id, attempt, { status: "succeeded", endedAt });
        this.update(node, { graph: result.graph });
      });
      this.enterChild(node, result.graph);
    } else if (result.ok && "output" in result) {
      const problems = this.outputProblems(record.entity, result.output);
      if (problems) {
        this.attemptFailed(node, attempt, endedAt, problems);
      } else {
        store.finishAttempt(this.record.id, record.id, attempt, { status: "succeeded", endedAt });
        this.complete(node, result.output, false);
      }
    } else if (!result.ok) {
      this.attemptFailed(node, attempt, endedAt, { ...result.error, entity: record.entity, node: record.id });
    }
    this.pump();
    this.settleIfIdle();
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

  private attemptFailed(node: LiveNode, attempt: number, endedAt: number, error: ErrorInfo): void {
    this.ctx.store.finishAttempt(this.record.id, node.record.id, attempt, { status: "failed", endedAt, error });
    // The store is the source of truth, so a resumed run counts earlier attempts too.
    const history = failureHistory(this.ctx.store.listAttempts(this.record.id, node.record.id));
    const retries = this.options(node.record.entity).retries ?? 0;
    if (!this.failure && shouldRetry(error, history, retries)) {
      this.update(node, { status: "pending", error });
      const delay = backoffDelay(history.userFailures + history.systemFailures, this.ctx.backoff ?? DEFAULT_BACKOFF);
      this.busy++;
      setTimeout(() => {
        this.busy--;
        if (this.failure) {
          this.settleIfIdle();
          return;
        }
        this.enqueue(node);
      }, delay);
      return;
    }
    this.failNode(node, error);
  }

  // ---- transitions --------------------------------------------------------

  private complete(node: LiveNode, outputs: WireValue, cached: boolean): void {
    const record = node.record;
    const patch: NodePatch = { status: "succeeded", outputs, cached, endedAt: Date.now() };
    if (record.cacheKey) patch.cacheKey = record.cacheKey;
    if (cached && record.startedAt === undefined) patch.startedAt = patch.endedAt;
    if (!cached && record.cacheKey) {
      const key = record.cacheKey;
      this.ctx.store.transaction(() => {
        this.update(node, patch);
        this.ctx.store.putCached({ key, entity: record.entity, outputs, executionId: this.record.id, nodeId: record.id, createdAt: Date.now() });
      });
    } else {
      // One write: no transaction of its own (a cache hit inside a map's batch would pay a savepoint each).
      this.update(node, patch);
    }
    if (node.map) {
      this.itemSettled(node.map, true);
      return;
    }
    const scope = node.scope;
    scope.unfinished--;
    for (const dependent of node.dependents) {
      if (--dependent.waitingOn === 0) this.startNode(dependent);
    }
    if (scope.unfinished === 0) this.scopeDone(scope);
  }

  private failNode(node: LiveNode, error: ErrorInfo): void {
    const info: ErrorInfo = { ...error, entity: error.entity ?? node.record.entity, node: node.record.id };
    this.update(node, { status: "failed", error: info, endedAt: Date.now() });
    if (node.map) {
      this.itemSettled(node.map, false);
      return;
    }
    this.failure ??= info;
    this.settleIfIdle();
  }

  private scopeDone(scope: Scope): void {
    let output: WireValue;
    try {
      output = resolveBinding(scope.graph.output, lookupIn(scope), `outputs of "${scope.graph.entity}"`);
    } catch (error) {
      if (scope.owner) this.failNode(scope.owner, asErrorInfo(error, scope.owner));
      else this.finish("failed", undefined, asErrorInfo(error, undefined));
      return;
    }
    if (scope.owner) this.complete(scope.owner, output, false);
    else this.finish("succeeded", output, undefined);
  }

  private settleIfIdle(): void {
    if (this.failure && this.busy === 0 && !this.finished) this.finish("failed", undefined, this.failure);
  }

  private finish(status: "succeeded" | "failed", outputs: WireValue | undefined, error: ErrorInfo | undefined): void {
    if (this.finished) return;
    this.finished = true;
    const endedAt = Date.now();
    const { store } = this.ctx;
    store.transaction(() => {
      for (const node of store.listNodes(this.record.id)) {
        if (node.status === "pending" || node.status === "running") {
          store.updateNode(this.record.id, node.id, { status: "skipped", endedAt });
        }
      }
      store.updateExecution(this.record.id, { status, outputs, error, endedAt });
    });
    Object.assign(this.record, { status, outputs, error, endedAt });
    this.ctx.logs.closeAll();
    this.emit({ type: "execution", execution: { ...this.record } });
    this.resolveRun({ ...this.record });
  }

  private update(node: LiveNode, patch: NodePatch): void {
    Object.assign(node.record, patch);
    this.ctx.store.updateNode(this.record.id, node.record.id, patch);
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
