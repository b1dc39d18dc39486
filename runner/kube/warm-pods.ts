/**
 * Warm worker pods for tasks with `reuse`: pools of long-lived pods, one per
 * image and resource shape, whose agents connect back to the runner over a
 * WebSocket and run attempt after attempt. An attempt goes to an idle pod of
 * its pool (the pool grows with the queue, within the task's bounds, and
 * shrinks when idle). Its result is what the worker reported to the store,
 * as for a one-attempt pod; a pod that dies or disconnects mid-attempt is
 * deleted and the attempt fails as a system error, which the engine retries
 * (on another pod). Each attempt settles once, whatever reports arrive late.
 */
import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { WebSocket } from "ws";
import type { ErrorInfo } from "../../compiler/errors.ts";
import type { JobOptions } from "../engine/executor.ts";
import type { AttemptRef, JobResult } from "../worker/protocol.ts";
import { parseWorkerPodMessage } from "../pod/worker-messages.ts";
import { attemptKey } from "../service/protocol.ts";
import type { KubeApi } from "./kube-api.ts";
import type { AttemptReports } from "./attempt-reports.ts";
import type { AttemptStop } from "./attempt-stop.ts";
import type { PodEvent } from "./pod-informer.ts";
import type { AttemptJob, PodContainer } from "./pod-launch.ts";
import { podFailure, podProgress } from "./pod-outcome.ts";
import { newDispatch, WarmPodPool, type Dispatch, type PoolHost, type WorkerPod } from "./warm-pod-pool.ts";
import { poolBounds, poolShape, type PoolShape } from "./warm-pool-plan.ts";
import { isWorkerPod, WORKER_LABELS, workerPod, workerPodName } from "./worker-pod-spec.ts";

/** How the runner equips a worker pod and each attempt it sends one. */
export interface WarmPodLaunch {
  /**
   * How often the runner pings each worker pod: one that has not answered by
   * the next ping is taken for lost (a connection can die without closing).
   */
  heartbeatMs?: number;
  container(request: { pod: { name: string; namespace: string }; pool: string; instance: string; image?: string }): PodContainer | Promise<PodContainer>;
  /** The token the worker opens this attempt's routes with. */
  attemptToken(ref: AttemptRef): string | Promise<string>;
}

/** Who a connecting worker says it is (its token's claims, checked by the service). */
export interface WorkerIdentity {
  instance: string;
  pool: string;
  pod: string;
}

/** What the service's WebSocket route hands connecting workers to. */
export interface WarmWorkerEndpoint {
  /** Whether this runner is waiting for that pod to connect; refused before the upgrade otherwise. */
  expects(identity: WorkerIdentity): boolean;
  accept(identity: WorkerIdentity, socket: WebSocket): void;
  /**
   * The service is stopping and closes the workers' sockets: from now on a
   * closed socket is no lost pod, no pod starts, and attempts under way wait
   * for the executor's close (EXECUTOR_CLOSED), as attempts on pods do.
   */
  release(): void;
}

export interface WarmPodsOptions {
  api: KubeApi;
  namespace: string;
  runnerId: string;
  launch: WarmPodLaunch;
  reports: AttemptReports;
  stopGraceSeconds: number;
  warn: (message: string) => void;
}

const DEFAULT_HEARTBEAT_MS = 10_000;

export class WarmPods implements PoolHost, WarmWorkerEndpoint {
  /** Names this runner process's worker pods; a restarted runner has another. */
  readonly instance = randomBytes(4).toString("hex");
  private readonly pools = new Map<string, WarmPodPool>();
  private readonly byName = new Map<string, { pool: WarmPodPool; worker: WorkerPod }>();
  private readonly inFlight = new Map<string, Dispatch>();
  private readonly closing = new AbortController();
  private podCount = 0;

  constructor(private readonly options: WarmPodsOptions) {
    // Every pod being created waits on it (its retries' back-off listens to it): a pool that
    // grows by more than ten at once is not a leak.
    setMaxListeners(0, this.closing.signal);
  }

  /** `tenant` (the execution's project) keeps pools apart: a worker pod runs the code of one project only. */
  async run(job: AttemptJob, options: JobOptions, stop: AttemptStop, tenant: string): Promise<JobResult> {
    const key = attemptKey(job.attempt);
    if (this.inFlight.has(key)) return failed(job, "ATTEMPT_ALREADY_RUNNING", `${describe(job)}, attempt ${job.attempt.attempt}, is already running on a warm worker pod of this runner`);
    const shape = poolShape(options.task ?? {}, tenant);
    const bounds = poolBounds(options.task?.reuse ?? {});
    let pool = this.pools.get(shape.id);
    if (pool) pool.bounds = bounds;
    else this.pools.set(shape.id, (pool = new WarmPodPool(shape, bounds, this)));
    const dispatch = newDispatch(job, key, options);
    this.inFlight.set(key, dispatch);
    try {
      pool.enqueue(dispatch);
      const end = await Promise.race([dispatch.result, stop.stopped]);
      if (typeof end !== "string") return end;
      // Its worker said it was done (the result is stored, being read): that result stands.
      if (dispatch.worker && dispatch.worker.dispatch !== dispatch) return dispatch.result;
      pool.withdraw(dispatch);
      const worker = dispatch.worker;
      if (worker) this.drop(worker, `its attempt was ${end === "timeout" ? "timed out" : "cancelled"}`, this.options.stopGraceSeconds);
      const where = worker ? `; its warm worker pod ${this.options.namespace}/${worker.name} is deleted` : "";
      dispatch.settle(
        end === "timeout"
          ? failed(job, "TASK_TIMEOUT", `${describe(job)} ran longer than its timeout of ${options.timeoutMs ?? 0} ms${where}`, "timeout")
          : failed(job, "CANCELLED", `${describe(job)} was cancelled${where}`, "user"),
      );
      return dispatch.result;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** An attempt a stopped runner left on a warm pod: its worker went with that runner, so only a stored report saves it. */
  async resume(job: AttemptJob): Promise<JobResult> {
    const report = await this.options.reports.get(job.attempt);
    return report ?? failed(job, "WORKER_LOST", `the runner stopped while ${describe(job)} ran on a warm worker pod, before it reported a result; it runs again`);
  }

  expects(identity: WorkerIdentity): boolean {
    return identity.instance === this.instance && this.byName.get(identity.pod)?.worker.state === "starting";
  }

  accept(identity: WorkerIdentity, socket: WebSocket): void {
    const entry = this.byName.get(identity.pod);
    if (!entry || !this.expects(identity)) return socket.close(4410, "this runner expects no such worker");
    const { pool, worker } = entry;
    const heartbeatMs = this.options.launch.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const beat = heartbeat(socket, heartbeatMs);
    socket.on("message", (data) => this.heard(worker, String(data)));
    socket.on("close", () => {
      if (!beat.missed) return this.drop(worker, "its connection to the runner closed");
      const silence = `stopped answering the runner's heartbeat (every ${heartbeatMs / 1000} s): its connection is gone`;
      this.options.warn(`warm worker pod ${this.options.namespace}/${worker.name} ${silence}; it is deleted`);
      this.drop(worker, `it ${silence}`);
    });
    socket.on("error", (error) => this.options.warn(`the connection of warm worker pod ${worker.name} failed: ${error.message}`));
    pool.connected(worker, socket);
  }

  /** Worker pods as the runner's watch sees them: an ended one is gone (and deleted), whoever started it. */
  podEvent(event: PodEvent): void {
    if (!isWorkerPod(event.pod)) return;
    const name = event.pod.metadata?.name ?? "";
    const entry = this.byName.get(name);
    const progress = podProgress(event.pod);
    if (!entry) {
      // A worker of an earlier runner process ends once it loses its runner; whichever runner sees it removes it.
      if (event.type === "upsert" && progress.state === "ended" && event.pod.metadata?.labels?.[WORKER_LABELS.instance] !== this.instance) void this.deletePod(name, 0);
      return;
    }
    if (event.type === "delete") this.drop(entry.worker, "it was deleted");
    else if (progress.state === "ended") this.drop(entry.worker, podFailure(progress.end, { pod: name, namespace: this.options.namespace, nodeId: "" }).message);
  }

  release(): void {
    this.closing.abort();
  }

  /** Ends every warm attempt (EXECUTOR_CLOSED) and deletes this runner's worker pods. */
  async close(): Promise<void> {
    this.closing.abort();
    for (const dispatch of this.inFlight.values()) {
      dispatch.settle(failed(dispatch.job, "EXECUTOR_CLOSED", `the runner stopped while ${describe(dispatch.job)} waited for or ran on a warm worker pod; it runs again when the runner resumes the execution`));
    }
    const deletions = [...this.byName.values()].map(({ pool, worker }) => {
      pool.lost(worker, "the runner is stopping");
      worker.socket?.close(1001, "the runner is stopping");
      return this.deletePod(worker.name, 0, AbortSignal.timeout(5000));
    });
    this.byName.clear();
    await Promise.allSettled(deletions);
  }

  startPod(pool: WarmPodPool): void {
    if (this.closing.signal.aborted) return;
    const name = workerPodName(pool.shape.id, this.instance, this.podCount++);
    const worker: WorkerPod = { name, state: "starting", idleSince: Date.now() };
    pool.added(worker);
    this.byName.set(name, { pool, worker });
    void this.createPod(pool.shape, worker).catch((error: unknown) => {
      const why = `creating warm worker pod ${this.options.namespace}/${name} failed: ${(error as Error)?.message ?? String(error)}`;
      this.options.warn(why);
      this.drop(worker, why);
    });
  }

  send(worker: WorkerPod, dispatch: Dispatch): void {
    void (async () => {
      const token = await this.options.launch.attemptToken(dispatch.job.attempt);
      worker.socket!.send(JSON.stringify({ type: "job", attempt: dispatch.key, token }));
    })().catch((error: unknown) => this.drop(worker, `sending it ${describe(dispatch.job)} failed: ${(error as Error)?.message ?? String(error)}`));
  }

  retire(worker: WorkerPod, why: string): void {
    this.drop(worker, why);
  }

  failQueue(pool: WarmPodPool, dispatches: Dispatch[], why: string): void {
    for (const dispatch of dispatches) {
      dispatch.settle(failed(dispatch.job, "WORKER_START_FAILED", `no warm worker pod of ${describe(dispatch.job)} could start (image ${pool.shape.image ?? "default"}): ${why}`));
    }
  }

  private async createPod(shape: PoolShape, worker: WorkerPod): Promise<void> {
    const { namespace, runnerId } = this.options;
    const container = await this.options.launch.container({ pod: { name: worker.name, namespace }, pool: shape.id, instance: this.instance, ...(shape.image ? { image: shape.image } : {}) });
    await this.options.api.createPod(namespace, workerPod({ name: worker.name, namespace, runnerId, instance: this.instance, shape, container }), this.closing.signal);
  }

  private heard(worker: WorkerPod, text: string): void {
    const message = parseWorkerPodMessage(text);
    const dispatch = worker.dispatch;
    // Messages of an attempt this worker no longer runs (stopped, settled) are stale.
    if (!message || !dispatch || message.attempt !== dispatch.key) return;
    if (message.type === "log") return dispatch.options.onLog?.(message.stream, message.text);
    this.byName.get(worker.name)?.pool.jobEnded(worker);
    void this.settleFromReport(dispatch, () =>
      message.type === "failed"
        ? failed(dispatch.job, "WORKER_JOB_FAILED", `warm worker pod ${worker.name} could not run ${describe(dispatch.job)}: ${message.message}`)
        : failed(dispatch.job, "REPORT_MISSING", `warm worker pod ${worker.name} said ${describe(dispatch.job)} was done, but no result of it is stored`),
    );
  }

  /** The pod goes: out of its pool, its socket closed, deleted; the attempt it ran fails unless it reported first. */
  private drop(worker: WorkerPod, why: string, graceSeconds = 0): void {
    const entry = this.byName.get(worker.name);
    if (!entry) return;
    this.byName.delete(worker.name);
    const dispatch = entry.pool.lost(worker, why);
    if (worker.socket && worker.socket.readyState <= 1) worker.socket.close(1000, why.slice(0, 120));
    const deleted = this.deletePod(worker.name, graceSeconds);
    if (!dispatch || dispatch.settled || this.closing.signal.aborted) return;
    // Deleted first, so the pod cannot report after the store was read.
    void deleted.then(() =>
      this.settleFromReport(dispatch, () => failed(dispatch.job, "WORKER_LOST", `warm worker pod ${this.options.namespace}/${worker.name} was lost while it ran ${describe(dispatch.job)} (${why}); the attempt runs again on another pod`)),
    );
  }

  private async settleFromReport(dispatch: Dispatch, otherwise: () => JobResult): Promise<void> {
    if (dispatch.settled) return;
    try {
      dispatch.settle((await this.options.reports.get(dispatch.job.attempt)) ?? otherwise());
    } catch (error) {
      dispatch.settle(failed(dispatch.job, "REPORT_READ_FAILED", `reading the result of ${describe(dispatch.job)} failed: ${(error as Error)?.message ?? String(error)}`));
    }
  }

  private async deletePod(name: string, graceSeconds: number, signal?: AbortSignal): Promise<void> {
    try {
      await this.options.api.deletePod(this.options.namespace, name, graceSeconds, signal);
    } catch (error) {
      this.options.warn(`deleting warm worker pod ${this.options.namespace}/${name} failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }
}

function describe(job: AttemptJob): string {
  return `task "${job.entity}" (node ${job.attempt.nodeId})`;
}

function failed(job: AttemptJob, code: string, message: string, kind: ErrorInfo["kind"] = "system"): JobResult {
  return { ok: false, error: { code, kind, message, entity: job.entity, node: job.attempt.nodeId } };
}

/**
 * Pings `socket` every `everyMs`. One that has not answered (a pong, or any
 * message) by the next ping is ended, and `missed` says so: a connection can
 * die without closing.
 */
function heartbeat(socket: WebSocket, everyMs: number): { readonly missed: boolean } {
  const state = { missed: false };
  let answered = true;
  const timer = setInterval(() => {
    if (!answered) {
      state.missed = true;
      socket.terminate();
      return;
    }
    answered = false;
    socket.ping();
  }, everyMs);
  timer.unref();
  socket.on("pong", () => (answered = true));
  socket.on("message", () => (answered = true));
  socket.on("close", () => clearInterval(timer));
  return state;
}
