/**
 * One pool of warm worker pods (one image and resource shape): its pods and
 * their states, the attempts waiting for one, and the bookkeeping of
 * dispatch, growth and idle removal. The I/O (creating and deleting pods,
 * talking over sockets) is its host's.
 */
import type { WebSocket } from "ws";
import type { JobOptions } from "../engine/executor.ts";
import type { JobResult } from "../worker/protocol.ts";
import type { AttemptJob } from "./pod-launch.ts";
import { idlePodGoes, podsToStart, type PoolBounds, type PoolLoad, type PoolShape } from "./warm-pool-plan.ts";

/** Pods in a row that end before they connect, after which the pool's queue fails instead of waiting for more. */
export const MAX_START_FAILURES = 3;

export interface Dispatch {
  job: AttemptJob;
  /** `attemptKey(job.attempt)`. */
  key: string;
  options: JobOptions;
  worker?: WorkerPod;
  readonly result: Promise<JobResult>;
  /** The first result given wins; later ones are ignored (an attempt is reported once). */
  settle(result: JobResult): void;
  readonly settled: boolean;
}

export interface WorkerPod {
  name: string;
  state: "starting" | "idle" | "busy" | "gone";
  socket?: WebSocket;
  dispatch?: Dispatch;
  idleSince: number;
  idleTimer?: NodeJS.Timeout;
}

export interface PoolHost {
  /** Creates a pod for the pool; it joins as "starting" and connects later. */
  startPod(pool: WarmPodPool): void;
  /** Hands the attempt to the worker's socket. */
  send(worker: WorkerPod, dispatch: Dispatch): void;
  /** Lets an idle pod go (its socket closed, its pod deleted). */
  retire(worker: WorkerPod, why: string): void;
  /** The queue fails: the pool's pods end before they connect. */
  failQueue(pool: WarmPodPool, dispatches: Dispatch[], why: string): void;
}

export function newDispatch(job: AttemptJob, key: string, options: JobOptions): Dispatch {
  let resolve!: (result: JobResult) => void;
  const result = new Promise<JobResult>((r) => (resolve = r));
  const dispatch: Dispatch = {
    job,
    key,
    options,
    result,
    settled: false,
    settle(value) {
      if (dispatch.settled) return;
      (dispatch as { settled: boolean }).settled = true;
      resolve(value);
    },
  };
  return dispatch;
}

export class WarmPodPool {
  readonly workers = new Map<string, WorkerPod>();
  private readonly queue: Dispatch[] = [];
  private lastDispatchAt = 0;
  private startFailures = 0;

  constructor(
    readonly shape: PoolShape,
    public bounds: PoolBounds,
    private readonly host: PoolHost,
  ) {}

  load(): PoolLoad {
    const load: PoolLoad = { queued: this.queue.length, starting: 0, idle: 0, busy: 0 };
    for (const worker of this.workers.values()) if (worker.state !== "gone") load[worker.state]++;
    return load;
  }

  enqueue(dispatch: Dispatch): void {
    this.queue.push(dispatch);
    this.pump();
  }

  /** Takes a waiting attempt out of the queue (stopped before it reached a worker). */
  withdraw(dispatch: Dispatch): void {
    const at = this.queue.indexOf(dispatch);
    if (at >= 0) this.queue.splice(at, 1);
  }

  added(worker: WorkerPod): void {
    this.workers.set(worker.name, worker);
  }

  connected(worker: WorkerPod, socket: WebSocket): void {
    worker.socket = socket;
    this.startFailures = 0;
    this.becameIdle(worker);
  }

  jobEnded(worker: WorkerPod): void {
    if (worker.state !== "busy") return;
    worker.dispatch = undefined;
    this.becameIdle(worker);
  }

  /** The pod is gone (ended, deleted, disconnected, retired): the attempt it ran, if any. */
  lost(worker: WorkerPod, why: string): Dispatch | undefined {
    if (worker.state === "gone") return undefined;
    const neverConnected = worker.state === "starting";
    const dispatch = worker.dispatch;
    worker.state = "gone";
    worker.dispatch = undefined;
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    this.workers.delete(worker.name);
    if (neverConnected && ++this.startFailures >= MAX_START_FAILURES && this.queue.length && this.load().idle + this.load().busy === 0) {
      this.startFailures = 0;
      this.host.failQueue(this, this.queue.splice(0), why);
    }
    this.pump();
    return dispatch;
  }

  private becameIdle(worker: WorkerPod): void {
    worker.state = "idle";
    worker.idleSince = Date.now();
    this.pump();
    if (worker.state === "idle") this.armIdleTimer(worker);
  }

  private pump(): void {
    for (const worker of this.workers.values()) {
      if (!this.queue.length) break;
      if (worker.state === "idle") this.assign(worker, this.queue.shift()!);
    }
    for (let n = podsToStart(this.load(), this.bounds); n > 0; n--) this.host.startPod(this);
  }

  private assign(worker: WorkerPod, dispatch: Dispatch): void {
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    worker.state = "busy";
    worker.dispatch = dispatch;
    dispatch.worker = worker;
    this.lastDispatchAt = Date.now();
    this.host.send(worker, dispatch);
  }

  private armIdleTimer(worker: WorkerPod, delayMs = this.bounds.idleTimeoutMs): void {
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    worker.idleTimer = setTimeout(() => {
      if (worker.state !== "idle") return;
      if (idlePodGoes(Date.now(), worker.idleSince, this.lastDispatchAt, this.load(), this.bounds)) this.host.retire(worker, `idle for ${this.bounds.idleTimeoutMs} ms`);
      // Kept as the pool's minimum while others work: looked at again later, never in a tight loop.
      else this.armIdleTimer(worker, Math.max(this.bounds.idleTimeoutMs, 250));
    }, Math.max(0, delayMs));
    worker.idleTimer.unref();
  }
}
