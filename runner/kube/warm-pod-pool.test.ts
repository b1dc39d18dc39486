// The pool's bookkeeping, with a host that records what it is asked to do
// (the I/O it would do with pods and sockets is the executor tests' part).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { WebSocket } from "ws";
import { MAX_START_FAILURES, newDispatch, WarmPodPool, type Dispatch, type PoolHost, type WorkerPod } from "./warm-pod-pool.ts";
import { poolShape, type PoolBounds } from "./warm-pool-plan.ts";

class RecordingHost implements PoolHost {
  readonly started: WorkerPod[] = [];
  readonly sent: [string, string][] = [];
  readonly retired: string[] = [];
  readonly failed: [string[], string][] = [];
  private n = 0;

  startPod(pool: WarmPodPool): void {
    const worker: WorkerPod = { name: `w${this.n++}`, state: "starting", idleSince: 0 };
    pool.added(worker);
    this.started.push(worker);
  }
  send(worker: WorkerPod, dispatch: Dispatch): void {
    this.sent.push([worker.name, dispatch.key]);
  }
  retire(worker: WorkerPod): void {
    this.retired.push(worker.name);
  }
  failQueue(_pool: WarmPodPool, dispatches: Dispatch[], why: string): void {
    this.failed.push([dispatches.map((d) => d.key), why]);
    for (const d of dispatches) d.settle({ ok: false, error: { code: "WORKER_START_FAILED", kind: "system", message: why } });
  }
}

const socket = {} as WebSocket;
const job = (i: number) => newDispatch({ type: "run", entity: "t", inputs: {}, attempt: { executionId: "e", nodeId: `n${i}`, attempt: 1 } }, `k${i}`, {});

function pool(bounds: PoolBounds): { pool: WarmPodPool; host: RecordingHost } {
  const host = new RecordingHost();
  return { pool: new WarmPodPool(poolShape({}), bounds, host), host };
}

test("a queue starts pods up to the maximum; connected pods take the queue in order, one attempt each", () => {
  const { pool: p, host } = pool({ min: 1, max: 2, idleTimeoutMs: 60_000 });
  for (let i = 0; i < 5; i++) p.enqueue(job(i));
  assert.equal(host.started.length, 2);
  p.connected(host.started[0]!, socket);
  p.connected(host.started[1]!, socket);
  assert.deepEqual(host.sent, [["w0", "k0"], ["w1", "k1"]]);
  p.jobEnded(host.started[1]!);
  assert.deepEqual(host.sent.at(-1), ["w1", "k2"]);
  assert.deepEqual(p.load(), { queued: 2, starting: 0, idle: 0, busy: 2 });
});

test("a pod lost mid-attempt hands back its attempt, and a new pod is started for the queue", () => {
  const { pool: p, host } = pool({ min: 1, max: 1, idleTimeoutMs: 60_000 });
  const first = job(0);
  p.enqueue(first);
  p.enqueue(job(1));
  p.connected(host.started[0]!, socket);
  assert.equal(p.lost(host.started[0]!, "killed"), first);
  assert.equal(p.lost(host.started[0]!, "killed again"), undefined, "a pod is lost once");
  assert.equal(host.started.length, 2, "a replacement pod starts for the queued attempt");
});

test("pods that keep ending before they connect fail the queue instead of being started forever", async () => {
  const { pool: p, host } = pool({ min: 0, max: 1, idleTimeoutMs: 60_000 });
  const waiting = job(0);
  p.enqueue(waiting);
  for (let i = 0; i < MAX_START_FAILURES; i++) p.lost(host.started[i]!, "ErrImagePull");
  assert.deepEqual(host.failed, [[["k0"], "ErrImagePull"]]);
  assert.equal((await waiting.result).ok, false);
  assert.equal(host.started.length, MAX_START_FAILURES, "no pod starts without a queue");
});

test("an idle pod is retired after the idle timeout once nothing is left to run", async () => {
  const { pool: p, host } = pool({ min: 1, max: 1, idleTimeoutMs: 20 });
  p.enqueue(job(0));
  p.connected(host.started[0]!, socket);
  p.jobEnded(host.started[0]!);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(host.retired, ["w0"]);
});

test("an attempt settles once: the first result wins", async () => {
  const d = job(0);
  d.settle({ ok: true, output: 1 });
  d.settle({ ok: false, error: { code: "WORKER_LOST", kind: "system", message: "late" } });
  assert.deepEqual(await d.result, { ok: true, output: 1 });
});
