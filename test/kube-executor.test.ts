// The Kubernetes executor against the API simulator, through the real
// @kubernetes/client-node. Each pod runs `node -e` with a script that talks
// to a small HTTP server on loopback: it says when it starts, may wait at a
// gate the test opens, and POSTs its result, which the test's AttemptReports
// reads back, as the runner's store will for the real agent.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import type { JobOptions } from "../runner/engine/executor.ts";
import type { AttemptReports } from "../runner/kube/attempt-reports.ts";
import { KubernetesExecutor, type KubernetesExecutorOptions } from "../runner/kube/kubernetes-executor.ts";
import type { AttemptJob, PodLaunch } from "../runner/kube/pod-launch.ts";
import { podName } from "../runner/kube/pod-names.ts";
import type { AttemptRef, JobResult } from "../runner/worker/protocol.ts";
import { KubeSimulator } from "./kube-sim/simulator.ts";
import { waitFor } from "./kube-sim/test-support.ts";

/** Where pods report: results by attempt, who started, and gates they wait at. */
class ReportServer implements AttemptReports {
  readonly results = new Map<string, JobResult>();
  readonly started: string[] = [];
  private readonly gates = new Set<string>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<ReportServer> {
    let self!: ReportServer;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        if (req.method === "POST" && url.pathname === "/report") {
          const { attempt, result } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { attempt: AttemptRef; result: JobResult };
          self.results.set(key(attempt), result);
        } else if (req.method === "POST" && url.pathname.startsWith("/started/")) {
          self.started.push(decodeURIComponent(url.pathname.slice("/started/".length)));
        } else if (req.method === "GET" && url.pathname.startsWith("/gate/")) {
          res.writeHead(self.gates.has(decodeURIComponent(url.pathname.slice("/gate/".length))) ? 200 : 204).end();
          return;
        }
        res.writeHead(200).end();
      });
    });
    self = new ReportServer(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async get(ref: AttemptRef): Promise<JobResult | undefined> {
    return this.results.get(key(ref));
  }

  open(gate: string): void {
    this.gates.add(gate);
  }

  startsOf(pod: string): number {
    return this.started.filter((name) => name === pod).length;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const key = (ref: AttemptRef) => `${ref.executionId}|${ref.nodeId}|${ref.attempt}`;

/** What each test task does, by entity name. `gate(name)` waits until the test opens it. */
const behaviours: Record<string, string> = {
  double: `
    console.log("doubling " + inputs.x);
    console.error("a line on stderr");
    await report({ ok: true, output: inputs.x * 2 });
    process.stdout.write("last words, no newline");`,
  reject: `
    console.log("checking x");
    await report({ ok: false, error: { code: "TASK_FAILED", kind: "user", entity: "reject", message: "x must be positive" } });
    process.exit(1);`,
  exit: `
    console.log("leaving with " + inputs.code);
    process.exit(inputs.code);`,
  gated: `
    console.log("waiting at " + inputs.gate);
    await gate(inputs.gate);
    await report({ ok: true, output: inputs.x ?? null });
    console.log("through " + inputs.gate);`,
};

function script(entity: string): string {
  return `(async () => {
    const attempt = JSON.parse(process.env.ALOFT_ATTEMPT);
    const inputs = JSON.parse(process.env.ALOFT_INPUTS);
    const base = process.env.REPORT_URL;
    const report = async (result) => {
      const res = await fetch(base + "/report", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ attempt, result }) });
      if (!res.ok) process.exit(70);
    };
    const gate = async (name) => {
      while ((await fetch(base + "/gate/" + encodeURIComponent(name))).status !== 200) await new Promise((r) => setTimeout(r, 25));
    };
    await fetch(base + "/started/" + encodeURIComponent(process.env.HOSTNAME), { method: "POST" });
    ${behaviours[entity] ?? `throw new Error("no test behaviour " + ${JSON.stringify(entity)})`}
  })().catch((error) => { console.error(error); process.exit(99); });`;
}

function testLaunch(reports: ReportServer): PodLaunch {
  return {
    container: ({ job, attempt }) => ({
      command: [process.execPath],
      args: ["-e", script(job.entity)],
      env: { REPORT_URL: reports.url, ALOFT_ATTEMPT: JSON.stringify(attempt), ALOFT_INPUTS: JSON.stringify(job.inputs) },
    }),
  };
}

function job(entity: string, nodeId: string, inputs: Record<string, unknown> = {}, attempt = 1, executionId = "exec1"): AttemptJob {
  return { type: "run", entity, inputs: inputs as AttemptJob["inputs"], attempt: { executionId, nodeId, attempt } };
}

describe("KubernetesExecutor on the simulator", () => {
  let sim: KubeSimulator;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let reports: ReportServer;
  const executors: KubernetesExecutor[] = [];
  let namespaces = 0;

  before(async () => {
    sim = await KubeSimulator.start();
    kc = new k8s.KubeConfig();
    kc.loadFromString(sim.kubeconfig());
    core = kc.makeApiClient(k8s.CoreV1Api);
    reports = await ReportServer.start();
  });
  after(async () => {
    for (const executor of executors) await executor.close();
    await reports.close();
    await sim.stop();
  });

  /** An executor in a fresh namespace of its own; `logs` collects what each pod printed. */
  async function executor(options: Partial<KubernetesExecutorOptions> = {}) {
    const namespace = options.namespace ?? `kx-${++namespaces}`;
    if (!options.namespace) await core.createNamespace({ body: { metadata: { name: namespace } } });
    const warnings: string[] = [];
    const made = new KubernetesExecutor({
      kubeconfig: kc,
      namespace,
      runnerId: `runner-${namespace}`,
      size: 4,
      launch: testLaunch(reports),
      reports,
      retry: { baseMs: 50, maxMs: 500 },
      watchBackoff: { baseMs: 50, maxMs: 500 },
      onWarning: (message) => warnings.push(message),
      ...options,
    });
    executors.push(made);
    const pods = async () => (await core.listNamespacedPod({ namespace })).items.map((pod) => pod.metadata!.name!);
    return { executor: made, namespace, warnings, pods };
  }

  function run(executor: KubernetesExecutor, attemptJob: AttemptJob, options: JobOptions = {}) {
    const log: string[] = [];
    const result = executor.run(attemptJob, { ...options, onLog: (stream, text) => log.push(`${stream}:${text}`) });
    return { result, log };
  }

  it("runs an attempt as a pod: the reported output, its whole log, and the pod deleted after", async () => {
    const { executor: ex, pods } = await executor();
    const { result, log } = run(ex, job("double", "double-1", { x: 21 }));
    assert.deepEqual(await result, { ok: true, output: 42 });
    const text = log.join("");
    assert.ok(log.every((entry) => entry.startsWith("stdout:")), "the log API merges the streams");
    for (const line of ["doubling 21\n", "a line on stderr\n"]) assert.ok(text.includes(line), `log holds ${JSON.stringify(line)}: ${text}`);
    assert.ok(text.endsWith("last words, no newline"), `the output written just before exit is not lost: ${JSON.stringify(text)}`);
    assert.equal(text.split("doubling 21").length, 2, "no text is delivered twice");
    assert.deepEqual(await pods(), []);
  });

  it("returns the task error the agent reported, though the container exited non-zero", async () => {
    const { executor: ex } = await executor();
    const result = await run(ex, job("reject", "reject-1")).result;
    assert.deepEqual(result, { ok: false, error: { code: "TASK_FAILED", kind: "user", entity: "reject", message: "x must be positive" } });
  });

  it("fails as a system error, naming the pod, when a pod ends without a report", async () => {
    const { executor: ex, namespace } = await executor();
    const exited = await run(ex, job("exit", "exit-3", { code: 3 })).result;
    assert.equal(exited.ok, false);
    if (exited.ok) return;
    assert.equal(exited.error.code, "POD_EXITED");
    assert.equal(exited.error.kind, "system");
    assert.match(exited.error.message, new RegExp(`pod ${namespace}/${podName(job("exit", "exit-3").attempt)} exited with code 3`));

    const silent = await run(ex, job("exit", "exit-0", { code: 0 })).result;
    assert.equal(silent.ok, false);
    if (silent.ok) return;
    assert.equal(silent.error.code, "POD_NO_RESULT");
    assert.equal(silent.error.kind, "system");
    assert.match(silent.error.message, /ended without reporting a result/);
  });

  it("fails OOMKilled and Evicted pods as system errors", async () => {
    const { executor: ex, namespace } = await executor();
    sim.armPodFault({ reason: "OOMKilled", namespace, labelSelector: "aloft.dev/node=hungry", afterRunningMs: 100 });
    sim.armPodFault({ reason: "Evicted", namespace, labelSelector: "aloft.dev/node=evicted", afterRunningMs: 100 });
    const [oom, evicted] = await Promise.all([
      run(ex, job("gated", "hungry", { gate: "never-opened" })).result,
      run(ex, job("gated", "evicted", { gate: "never-opened" })).result,
    ]);
    assert.equal(oom.ok, false);
    assert.equal(evicted.ok, false);
    if (oom.ok || evicted.ok) return;
    assert.deepEqual([oom.error.code, oom.error.kind], ["POD_OOM_KILLED", "system"]);
    assert.match(oom.error.message, /ran out of memory/);
    assert.deepEqual([evicted.error.code, evicted.error.kind], ["POD_EVICTED", "system"]);
    assert.match(evicted.error.message, /was evicted from its node: The node was low on resource: memory/);
  });

  it("gets through a storm of 429s and 503s on create and list, retrying each", async () => {
    sim.resetCounts();
    const { executor: ex, warnings } = await executor({ size: 6 });
    const faults = [
      sim.injectFault({ verb: "create", resource: "pods", status: 429, count: 6, retryAfterSeconds: 1 }),
      sim.injectFault({ verb: "create", resource: "pods", status: 503, count: 3 }),
      sim.injectFault({ verb: "list", resource: "pods", status: 503, count: 3 }),
      sim.injectFault({ verb: "watch", resource: "pods", status: 503, count: 2 }),
    ];
    try {
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => run(ex, job("double", `storm-${i}`, { x: i })).result));
      assert.deepEqual(results, Array.from({ length: 6 }, (_, i) => ({ ok: true, output: i * 2 })));
    } finally {
      for (const fault of faults) sim.removeFault(fault);
    }
    const counts = sim.counts();
    assert.equal(counts.injected["create pods 429"], 6);
    assert.equal(counts.injected["create pods 503"], 3);
    assert.equal(counts.injected["list pods 503"], 3);
    assert.equal(counts.byRoute["create pods"], 6 + 6 + 3, "each refused create was sent again, and nothing more");
    assert.equal(counts.injected["watch pods 503"], 2);
    assert.ok(counts.byRoute["list pods"]! >= 4, "the refused lists were sent again");
    assert.ok(counts.byRoute["watch pods"]! >= 3, "the refused watches were opened again");
    // A refused list is retried inside the list call; a refused watch ends the watch, which the informer opens again after a backoff.
    assert.equal(warnings.length, 2, warnings.join("\n"));
    for (const warning of warnings) assert.match(warning, /^the watch of the runner's pods failed and will be opened again: Service Unavailable/);
  });

  it("keeps waiting through dropped watches, clean and abrupt, and a 410 that makes it list again", async () => {
    const { executor: ex } = await executor();
    const selector = ex.labelSelector;
    const runs = Array.from({ length: 3 }, (_, i) => run(ex, job("gated", `drop-${i}`, { gate: "drops", x: i })));
    const names = runs.map((_, i) => podName(job("gated", `drop-${i}`).attempt));
    await waitFor("the pods to start", () => names.every((name) => reports.startsOf(name) === 1));

    const watchesBefore = sim.counts().byRoute["watch pods"] ?? 0;
    assert.equal(sim.dropWatches({ labelSelector: selector }), 1);
    await waitFor("a new watch after a clean end", () => (sim.counts().byRoute["watch pods"] ?? 0) > watchesBefore && sim.openWatches(selector) === 1);

    const watchesAfterClean = sim.counts().byRoute["watch pods"]!;
    assert.equal(sim.dropWatches({ abrupt: true, labelSelector: selector }), 1);
    await waitFor("a new watch after a reset", () => sim.counts().byRoute["watch pods"]! > watchesAfterClean && sim.openWatches(selector) === 1);

    // A change the watch does not see moves the store on; compaction then leaves the watch's version behind.
    const listsBefore = sim.counts().byRoute["list pods"] ?? 0;
    await core.createNamespace({ body: { metadata: { name: `moved-on-${namespaces}` } } });
    sim.compactHistory();
    assert.equal(sim.dropWatches({ labelSelector: selector }), 1);
    await waitFor("a list after 410 Gone", () => (sim.counts().byRoute["list pods"] ?? 0) > listsBefore && sim.openWatches(selector) === 1);

    reports.open("drops");
    const results = await Promise.all(runs.map((r) => r.result));
    assert.deepEqual(results, [0, 1, 2].map((x) => ({ ok: true, output: x })));
  });

  it("fails as a system error when someone else deletes the pod", async () => {
    const { executor: ex, namespace, pods } = await executor();
    const attemptJob = job("gated", "deleted-by-other", { gate: "never-opened" });
    const pending = run(ex, attemptJob);
    const name = podName(attemptJob.attempt);
    await waitFor("the pod to start", () => reports.startsOf(name) === 1);
    await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 1 });
    const result = await pending.result;
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.deepEqual([result.error.code, result.error.kind], ["POD_DELETED", "system"]);
      assert.match(result.error.message, new RegExp(`pod ${namespace}/${name} was deleted before it finished, by someone other than aloft`));
    }
    await waitFor("the pod to go", async () => (await pods()).length === 0);
  });

  it("adopts a pod that already exists, after a restart, instead of starting another", async () => {
    const runnerId = "restarting-runner";
    const first = await executor({ runnerId });
    const left = [run(first.executor, job("gated", "adopt-run", { gate: "adopt", x: "run" })), run(first.executor, job("gated", "adopt-ref", { gate: "adopt", x: "ref" }))];
    const runPod = podName(job("gated", "adopt-run").attempt);
    const refPod = podName(job("gated", "adopt-ref").attempt);
    await waitFor("both pods to start", () => reports.startsOf(runPod) === 1 && reports.startsOf(refPod) === 1);
    await first.executor.close();
    for (const closed of await Promise.all(left.map((r) => r.result))) {
      assert.equal(closed.ok, false);
      if (!closed.ok) assert.equal(closed.error.code, "EXECUTOR_CLOSED");
    }
    assert.deepEqual((await first.pods()).sort(), [runPod, refPod].sort(), "closing leaves the pods running");

    sim.resetCounts();
    const second = await executor({ runnerId, namespace: first.namespace });
    const again = run(second.executor, job("gated", "adopt-run", { gate: "adopt", x: "run" }));
    const logOfAdopted: string[] = [];
    const adopted = second.executor.adopt(job("gated", "adopt-ref").attempt, { onLog: (_stream, text) => logOfAdopted.push(text) });
    await waitFor("the second runner to create (and be refused)", () => sim.counts().byRoute["create pods"] === 1);
    reports.open("adopt");
    assert.deepEqual(await again.result, { ok: true, output: "run" });
    assert.deepEqual(await adopted, { ok: true, output: "ref" });
    assert.equal(reports.startsOf(runPod), 1, "the adopted pod was not started twice");
    assert.equal(reports.startsOf(refPod), 1);
    assert.match(logOfAdopted.join(""), /waiting at adopt\n[^]*through adopt\n/, "the adopted pod's log is read from its start");
    assert.deepEqual(await second.pods(), []);
  });

  it("adopting an attempt whose pod is gone gives its report, or fails as a system error without one", async () => {
    const { executor: ex } = await executor();
    const result = await ex.adopt({ executionId: "exec1", nodeId: "never-ran", attempt: 1 });
    assert.equal(result.ok, false);
    if (!result.ok) assert.deepEqual([result.error.code, result.error.kind], ["POD_NOT_FOUND", "system"]);

    const finished = job("double", "finished-before-restart", { x: 5 });
    assert.deepEqual(await run(ex, finished).result, { ok: true, output: 10 });
    assert.deepEqual(await ex.adopt(finished.attempt), { ok: true, output: 10 }, "its pod is deleted, its report is still there");
  });

  it("resuming an attempt that has neither pod nor result starts its pod, once, under the same attempt", async () => {
    const { executor: ex, namespace } = await executor();
    sim.resetCounts();
    // Recorded by a runner that stopped before it created the pod.
    const neverStarted = job("double", "recorded-not-started", { x: 7 }, 1, `exec-${namespace}`);
    assert.deepEqual(await ex.resume(neverStarted), { ok: true, output: 14 });
    assert.equal(reports.startsOf(podName(neverStarted.attempt)), 1);
    assert.equal(sim.counts().byRoute["create pods"], 1);
    // One that finished before the restart gives its result and starts nothing.
    const finished = job("double", "finished-then-resumed", { x: 2 }, 1, `exec-${namespace}`);
    assert.deepEqual(await run(ex, finished).result, { ok: true, output: 4 });
    assert.deepEqual(await ex.resume(finished), { ok: true, output: 4 });
    assert.equal(reports.startsOf(podName(finished.attempt)), 1);
  });

  it("deletes the pod of a cancelled or timed-out attempt", async () => {
    const { executor: ex, pods } = await executor();
    const cancel = new AbortController();
    const cancelled = run(ex, job("gated", "cancel-me", { gate: "never-opened" }), { signal: cancel.signal });
    await waitFor("the pod to start", () => reports.startsOf(podName(job("gated", "cancel-me").attempt)) === 1);
    cancel.abort();
    const result = await cancelled.result;
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.code, "CANCELLED");
      assert.match(result.error.message, /was cancelled; its pod .* is deleted/);
    }
    await waitFor("the cancelled pod to go", async () => (await pods()).length === 0);

    const timedOut = await run(ex, job("gated", "too-slow", { gate: "never-opened" }), { timeoutMs: 1500 }).result;
    assert.equal(timedOut.ok, false);
    if (!timedOut.ok) assert.deepEqual([timedOut.error.code, timedOut.error.kind], ["TASK_TIMEOUT", "timeout"]);
    await waitFor("the timed-out pod to go", async () => (await pods()).length === 0);
  });

  it("leaves a detached attempt's pod running for another executor to adopt, and starts no pod for one still waiting", async () => {
    const { executor: ex, namespace, pods } = await executor({ size: 1 });
    const detach = new AbortController();
    const running = run(ex, job("gated", "handed-over", { gate: "handed-over", x: 3 }), { detach: detach.signal });
    const waiting = run(ex, job("gated", "never-started", { gate: "handed-over", x: 4 }), { detach: detach.signal });
    await waitFor("the first pod to start", () => reports.startsOf(podName(job("gated", "handed-over").attempt)) === 1);
    detach.abort();
    for (const r of [running, waiting]) {
      const result = await r.result;
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.code, "EXECUTION_ABANDONED");
    }
    assert.deepEqual(await pods(), [podName(job("gated", "handed-over").attempt)], "the running pod is left, the waiting one never made");
    // The replica that took over adopts the pod and gets its result.
    const { executor: other } = await executor({ namespace, runnerId: `runner-${namespace}` });
    const adopted = other.adopt(job("gated", "handed-over").attempt);
    reports.open("handed-over");
    assert.deepEqual(await adopted, { ok: true, output: 3 });
    assert.equal(reports.startsOf(podName(job("gated", "never-started").attempt)), 0);
  });

  it("runs many attempts on one watch, never more pods than its size", async () => {
    const { executor: ex, pods } = await executor({ size: 4 });
    sim.resetCounts();
    const runs = Array.from({ length: 10 }, (_, i) => run(ex, job("gated", `many-${i}`, { gate: "many", x: i })));
    await waitFor("four pods to start", () => reports.started.filter((name) => name.includes("-many-")).length === 4);
    assert.equal((await pods()).length, 4, "the other six wait for a slot, not as pods");
    assert.equal(sim.openWatches(ex.labelSelector), 1);
    reports.open("many");
    const results = await Promise.all(runs.map((r) => r.result));
    assert.deepEqual(results, Array.from({ length: 10 }, (_, i) => ({ ok: true, output: i })));
    assert.equal(sim.openWatches(ex.labelSelector), 1);
    const counts = sim.counts().byRoute;
    // Two lists: the informer's one, and the test's own count of pods above.
    assert.deepEqual([counts["list pods"], counts["watch pods"], counts["get pods"]], [2, 1, undefined], "one list and one watch for all, no poll per pod");
    assert.deepEqual([counts["create pods"], counts["delete pods"]], [10, 10]);
    assert.deepEqual(await pods(), []);
  });

  it("runs more than ten attempts at once under one execution's signal without a listener-leak warning", async () => {
    const { executor: ex } = await executor({ size: 12 });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on("warning", onWarning);
    try {
      // One signal for all of them, as an execution gives every attempt it starts.
      const execution = new AbortController();
      const runs = Array.from({ length: 12 }, (_, i) => run(ex, job("gated", `wide-${i}`, { gate: "wide", x: i }), { signal: execution.signal }));
      await waitFor("twelve pods to start", () => reports.started.filter((name) => name.includes("-wide-")).length === 12);
      reports.open("wide");
      assert.deepEqual(await Promise.all(runs.map((r) => r.result)), Array.from({ length: 12 }, (_, i) => ({ ok: true, output: i })));
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    assert.deepEqual(warnings.filter((w) => w.startsWith("MaxListenersExceededWarning")), []);
  });

  it("leaves no watch open once closed", async () => {
    const { executor: ex } = await executor();
    assert.deepEqual(await run(ex, job("double", "before-close", { x: 1 })).result, { ok: true, output: 2 });
    assert.equal(sim.openWatches(ex.labelSelector), 1);
    await ex.close();
    await waitFor("the watch to close", () => sim.openWatches(ex.labelSelector) === 0);
  });
});
