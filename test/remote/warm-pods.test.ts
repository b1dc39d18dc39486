// Tasks with `reuse` on warm worker pods: the runner (its own process) keeps
// a pool of long-lived pods on the API simulator that connect back over a
// WebSocket and run task after task, loading the bundle once each; pods go
// after the idle timeout; a pod killed mid-task costs that task one more
// attempt, on another pod, and nothing else.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import type { ExecutionDetailResponse } from "../../runner/service/protocol.ts";
import { KubeSimulator } from "../kube-sim/simulator.ts";
import { waitFor } from "../kube-sim/test-support.ts";
import { aloftAsync, repo, STALL_MAP_ITEMS, startRunner, startStallMap, type RunnerProcess } from "./runner-process.ts";

const fixture = join(repo, "test/fixtures/remote/warm.ts");
const WORKER_SELECTOR = "aloft.dev/role=worker";

interface WarmOutput {
  square: number;
  loadId: string;
  calls: number;
  host: string;
  leaked: string | null;
}

describe("warm worker pods (simulated API server)", () => {
  let sim: KubeSimulator;
  let runner: RunnerProcess;
  let client: string;
  let core: k8s.CoreV1Api;

  const workerPods = async () => (await core.listNamespacedPod({ namespace: "default", labelSelector: WORKER_SELECTOR })).items;
  const detailOf = async (executionId: string) =>
    (await (await fetch(`${runner.url}/api/v1/executions/${executionId}`, { headers: { authorization: `Bearer ${runner.token}` } })).json()) as ExecutionDetailResponse;
  const run = async (entity: string, ...inputs: string[]) => {
    const result = await aloftAsync(client, ["run", "--remote", "--json", "--runner", runner.url, "--token", runner.token, fixture, entity, ...inputs]);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}\n--- runner\n${runner.output()}`);
    return JSON.parse(result.stdout) as { executionId: string; status: string; outputs: unknown };
  };

  before(async () => {
    client = mkdtempSync(join(tmpdir(), "aloft-client-"));
    sim = await KubeSimulator.start({ podStartLatencyMs: 100 });
    const kubeconfig = join(client, "kubeconfig");
    sim.writeKubeconfig(kubeconfig);
    const kc = new k8s.KubeConfig();
    kc.loadFromString(sim.kubeconfig());
    core = kc.makeApiClient(k8s.CoreV1Api);
    runner = await startRunner({ args: ["--kubeconfig", kubeconfig] });
  });
  after(async () => {
    await runner?.stop();
    await sim?.stop();
  });

  it("runs a map on fewer pods than tasks, each loading the bundle once, and removes them once idle", async () => {
    sim.resetCounts();
    const xs = Array.from({ length: 12 }, (_, i) => i + 1);
    const { executionId, outputs } = await run("warmSquares", "--xs", JSON.stringify(xs));
    const results = outputs as WarmOutput[];
    assert.deepEqual(results.map((r) => r.square), xs.map((x) => x * x));
    const created = sim.counts().byRoute["create pods"] ?? 0;
    assert.ok(created >= 1 && created <= 2, `replicas [1, 2] allow one or two pods; ${created} were created`);
    assert.ok(created < xs.length);
    // One load per pod: each load id's calls count 1, 2, 3, ... over the tasks it ran.
    const byLoad = new Map<string, number[]>();
    for (const r of results) byLoad.set(r.loadId, [...(byLoad.get(r.loadId) ?? []), r.calls]);
    assert.ok(byLoad.size <= created, `${byLoad.size} bundle loads on ${created} pods`);
    for (const [load, calls] of byLoad) assert.deepEqual([...calls].sort((a, b) => a - b), calls.map((_, i) => i + 1), `load ${load}: calls ${calls}`);
    assert.ok(results.every((r) => r.host.startsWith("aloft-worker-")), "every task ran on a worker pod");
    assert.deepEqual(results.map((r) => r.leaked), xs.map(() => null), "a task's environment variables do not reach the next task");
    // The task's output reaches the attempt's log, as a pod's log would.
    const logs = await aloftAsync(client, ["logs", "--runner", runner.url, "--token", runner.token, executionId, "warmSquare[4]"]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /warm square 5/);
    // idleTimeout 1500 ms: the pool goes away once nothing runs.
    await waitFor("the worker pods to be removed after their idle timeout", async () => (await workerPods()).length === 0, 15_000);
    assert.equal(sim.counts().byRoute["delete pods"], created);
  });

  it("runs a task whose worker pod is killed mid-task again on another pod, and loses nothing", async () => {
    const { executionId, stalledOn: killed } = await startStallMap(client, runner);
    sim.failPod("default", killed, "OOMKilled");
    const detail = await waitFor("the execution to end", async () => {
      const d = await detailOf(executionId);
      return d.status === "succeeded" || d.status === "failed" ? d : undefined;
    }, 30_000);
    assert.equal(detail.status, "succeeded", `${JSON.stringify(detail.error)}\n--- runner\n${runner.output()}`);
    const results = detail.outputs as { value: number; host: string }[];
    assert.deepEqual(results.map((r) => r.value), STALL_MAP_ITEMS.map((x) => x + 1));
    assert.notEqual(results[2]!.host, killed, "the retry ran on another pod");
    const attempts = Object.fromEntries(detail.nodes.filter((n) => n.id.startsWith("stallOnce[")).map((n) => [n.id, n.attempts]));
    assert.deepEqual(attempts, { "stallOnce[0]": 1, "stallOnce[1]": 1, "stallOnce[2]": 2, "stallOnce[3]": 1, "stallOnce[4]": 1, "stallOnce[5]": 1 });
    await waitFor("the worker pods to be removed after their idle timeout", async () => (await workerPods()).length === 0, 15_000);
  });

  it("deletes the pod of an attempt that runs past its timeout, and runs the retry on another", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "aloft-warm-")), "timed-out-on");
    const { executionId, status, outputs } = await run("slowOnce", "--marker", marker);
    assert.equal(status, "succeeded");
    const timedOut = readFileSync(marker, "utf8");
    assert.notEqual(outputs, timedOut);
    assert.equal((await detailOf(executionId)).nodes.find((n) => n.id === "slowOnce")?.attempts, 2);
    assert.ok(!(await workerPods()).some((p) => p.metadata?.name === timedOut), "the timed-out attempt's pod is deleted");
  });

  it("resumes after a runner killed mid-task: the attempt runs again on a new pool, the old pods end and are deleted", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "aloft-warm-")), "stalled-on");
    const submitted = await aloftAsync(client, ["run", "--remote", "--detach", "--json", "--runner", runner.url, "--token", runner.token, fixture, "stallMap", "--xs", "[2, 3]", "--marker", marker]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const { executionId } = JSON.parse(submitted.stdout) as { executionId: string };
    const stalled = await waitFor("the stalling task to start on a worker pod", () => existsSync(marker) && readFileSync(marker, "utf8"), 30_000);
    await runner.stop("SIGKILL");
    // At the same address, as pods find a runner: the old runner's pods still connecting are refused there, and end.
    runner = await startRunner({ workspace: runner.workspace, port: Number(new URL(runner.url).port), args: ["--kubeconfig", join(client, "kubeconfig")] });
    const detail = await waitFor("the resumed execution to end", async () => {
      const d = await detailOf(executionId);
      return d.status === "succeeded" || d.status === "failed" ? d : undefined;
    }, 30_000);
    assert.equal(detail.status, "succeeded", `${JSON.stringify(detail.error)}\n--- runner\n${runner.output()}`);
    const results = detail.outputs as { value: number; host: string }[];
    assert.deepEqual(results.map((r) => r.value), [3, 4]);
    assert.notEqual(results[1]!.host, stalled);
    assert.equal(detail.nodes.find((n) => n.id === "stallOnce[1]")?.attempts, 2);
    // The killed runner's pods lose their connection, exit, and are deleted by the new runner; its own idle out.
    await waitFor("every worker pod to be gone", async () => (await workerPods()).length === 0, 15_000);
  });
});
