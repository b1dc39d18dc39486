// Two runner replicas sharing one PostgreSQL and one cluster: when the one
// driving an execution is killed, the other takes it over once its lease
// expires, adopts the pods still running, and finishes it; no pod starts twice.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";
import { TestSchemas } from "../../runner/store/postgres-test-support.ts";
import type { ExecutionDetailResponse } from "../../runner/service/protocol.ts";
import { KubeSimulator } from "../kube-sim/simulator.ts";
import { aloftAsync, repo, startRunner, type RunnerProcess } from "./runner-process.ts";
import { ServiceProxy } from "./service-proxy.ts";

const training = join(repo, "samples/fraud/training.ts");
const data = join(repo, "samples/fraud/data");
const slowMiddle = join(repo, "test/fixtures/remote/restart.ts");
const warmFailover = join(repo, "test/fixtures/remote/warm-failover.ts");

/** Polls `probe` until it gives something (true, or a value), for at most `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(100)) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

describe("runner replicas sharing PostgreSQL", () => {
  const schemas = new TestSchemas();
  let sim: KubeSimulator;
  let service: ServiceProxy;
  const runners: RunnerProcess[] = [];

  before(async () => {
    sim = await KubeSimulator.start({ podStartLatencyMs: 300 });
    service = await ServiceProxy.start();
  });
  after(async () => {
    for (const runner of runners) await runner.stop();
    await sim?.stop();
    await service?.close();
    await schemas.dropAll();
  });

  it("hands a killed replica's execution to the other, which finishes it without starting a pod twice", async () => {
    const shared = mkdtempSync(join(tmpdir(), "aloft-shared-"));
    const kubeconfig = join(shared, "kubeconfig");
    sim.writeKubeconfig(kubeconfig);
    const database = schemas.url();
    // Pods reach the replicas through one address, as through a Kubernetes Service.
    const common = ["--db", database, "--store", `file:${join(shared, "blobs")}`, "--kubeconfig", kubeconfig, "--lease", "4s", "--advertise-url", service.url];
    const a = await startRunner({ args: [...common, "--replica-id", "replica-a"] });
    // The second replica lives in another workspace (another machine): only the database, blobs and cluster are shared.
    const b = await startRunner({ args: [...common, "--replica-id", "replica-b"] });
    runners.push(b);
    service.add(a.url);
    service.add(b.url);
    const client = mkdtempSync(join(tmpdir(), "aloft-client-"));
    sim.resetCounts();
    const submitted = await aloftAsync(client, ["run", "--remote", "--detach", "--json", "--runner", a.url, "--token", a.token, training, "trainingWorkflow", "--data", data]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const id = (JSON.parse(submitted.stdout) as { executionId: string }).executionId;
    const detail = async (runner: RunnerProcess) =>
      (await (await fetch(`${runner.url}/api/v1/executions/${id}`, { headers: { authorization: `Bearer ${a.token}` } })).json()) as ExecutionDetailResponse;
    for (;;) {
      const d = await detail(a);
      assert.equal(d.status, "running");
      if (d.nodes.some((n) => n.id.startsWith("trainIterative/") && n.status === "running")) break;
      await sleep(50);
    }
    // A client of the other replica follows the execution from the shared store, to its end.
    const followed = new Promise<{ nodes: number; end?: ExecutionDetailResponse }>((resolve, reject) => {
      const ws = new WebSocket(`${b.url.replace("http", "ws")}/api/v1/executions/${id}/events`, { headers: { authorization: `Bearer ${a.token}` } });
      let nodes = 0;
      ws.on("message", (data) => {
        const message = JSON.parse(String(data)) as { type: string; execution?: ExecutionDetailResponse };
        if (message.type === "node") nodes++;
        if (message.type === "end") resolve({ nodes, end: message.execution });
      });
      ws.on("error", reject);
    });
    const logsEnded = new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(`${b.url.replace("http", "ws")}/api/v1/executions/${id}/logs?follow=1`, { headers: { authorization: `Bearer ${a.token}` } });
      ws.on("message", (data) => {
        const message = JSON.parse(String(data)) as { type: string; status?: string };
        if (message.type === "end") resolve(message.status ?? "");
      });
      ws.on("error", reject);
    });
    await a.stop("SIGKILL");
    let ended: ExecutionDetailResponse;
    for (const deadline = Date.now() + 60_000; ; await sleep(100)) {
      ended = await detail(b);
      if (ended.status !== "running") break;
      assert.ok(Date.now() < deadline, `replica b did not finish the execution:\n${b.output()}`);
    }
    assert.equal(ended.status, "succeeded", JSON.stringify(ended.error));
    const stream = await followed;
    assert.equal(stream.end?.status, "succeeded");
    assert.ok(stream.nodes > 0, "node changes reached the stream");
    assert.equal(await logsEnded, "succeeded", "a followed log stream on the other replica ends with the execution");
    assert.match(b.output(), new RegExp(`resumed execution ${id}`));
    for (const node of ended.nodes) assert.ok(node.attempts <= 1, `${node.id} ran ${node.attempts} times`);
    const ran = ended.nodes.filter((n) => n.attempts > 0 && n.kind !== "workflow").length;
    assert.equal(sim.counts().byRoute["create pods"], ran, "one pod per attempt, across both replicas");
  });
  it("leaves the pods of an execution whose lease it lost to the replica that took it over", async () => {
    const shared = mkdtempSync(join(tmpdir(), "aloft-shared-"));
    const kubeconfig = join(shared, "kubeconfig");
    sim.writeKubeconfig(kubeconfig);
    const proxy = await ServiceProxy.start();
    const common = ["--db", schemas.url(), "--store", `file:${join(shared, "blobs")}`, "--kubeconfig", kubeconfig, "--lease", "4s", "--advertise-url", proxy.url];
    const a = await startRunner({ args: [...common, "--replica-id", "replica-paused"] });
    const b = await startRunner({ args: [...common, "--replica-id", "replica-taking-over"] });
    runners.push(a, b);
    proxy.add(a.url);
    proxy.add(b.url);
    try {
      const client = mkdtempSync(join(tmpdir(), "aloft-client-"));
      sim.resetCounts();
      // sleepy's pod waits 12 s: still running when replica a wakes up.
      const submitted = await aloftAsync(client, ["run", "--remote", "--detach", "--json", "--runner", a.url, "--token", a.token, slowMiddle, "slowMiddle", "--x", "4", "--ms", "12000"]);
      assert.equal(submitted.code, 0, submitted.stderr);
      const id = (JSON.parse(submitted.stdout) as { executionId: string }).executionId;
      const detail = async (runner: RunnerProcess) =>
        (await (await fetch(`${runner.url}/api/v1/executions/${id}`, { headers: { authorization: `Bearer ${a.token}` } })).json()) as ExecutionDetailResponse;
      await until("sleepy's pod to run", async () => (await detail(b)).nodes.some((n) => n.id === "sleepy" && n.status === "running") && sim.counts().byRoute["create pods"] === 2);
      // Replica a stops answering (a long pause) while its pods run: b takes the execution over, then a wakes up.
      proxy.remove(a.url);
      a.child.kill("SIGSTOP");
      await until("replica b to take the execution over", async () => b.output().includes(`resumed execution ${id}`), 30_000);
      a.child.kill("SIGCONT");
      await until("replica a to notice it lost the lease", async () => /lost the lease on execution/.test(a.output()), 30_000).catch((error: Error) => {
        throw new Error(`${error.message}\n--- replica a\n${a.output().slice(-4000)}\n--- replica b\n${b.output().slice(-4000)}`);
      });
      const ended = await until("replica b to finish the execution", async () => {
        const d = await detail(b);
        return d.status === "running" ? undefined : d;
      }, 60_000);
      assert.equal(ended.status, "succeeded", `${JSON.stringify(ended.error)}\n--- replica a\n${a.output()}\n--- replica b\n${b.output()}`);
      assert.equal(ended.outputs, (4 + 1) * 2 - 3);
      for (const node of ended.nodes) assert.ok(node.attempts <= 1, `${node.id} ran ${node.attempts} times:\n--- replica a\n${a.output()}`);
      const ran = ended.nodes.filter((n) => n.attempts > 0 && n.kind !== "workflow").length;
      assert.equal(sim.counts().byRoute["create pods"], ran, "one pod per attempt: the pods replica a left were adopted");
    } finally {
      a.child.kill("SIGCONT");
      await proxy.close();
    }
  });

  it("stops a warm attempt of an execution whose lease it lost: only the replica that took it over runs it to its end", async () => {
    const shared = mkdtempSync(join(tmpdir(), "aloft-shared-"));
    const kubeconfig = join(shared, "kubeconfig");
    sim.writeKubeconfig(kubeconfig);
    // Warm worker pods connect back to the very replica that started them: one address each.
    const [proxyA, proxyB] = [await ServiceProxy.start(), await ServiceProxy.start()];
    const common = ["--db", schemas.url(), "--store", `file:${join(shared, "blobs")}`, "--kubeconfig", kubeconfig, "--lease", "4s"];
    const a = await startRunner({ args: [...common, "--advertise-url", proxyA.url, "--replica-id", "warm-paused"] });
    const b = await startRunner({ args: [...common, "--advertise-url", proxyB.url, "--replica-id", "warm-taking-over"] });
    runners.push(a, b);
    proxyA.add(a.url);
    proxyB.add(b.url);
    const marker = join(shared, "naps");
    const lines = (word: string) => (existsSync(marker) ? readFileSync(marker, "utf8").split("\n").filter((line) => line === word).length : 0);
    try {
      const client = mkdtempSync(join(tmpdir(), "aloft-client-"));
      // The nap outlasts replica a's pause: without the stop, its attempt would still end (and write "end") before b's.
      const submitted = await aloftAsync(client, ["run", "--remote", "--detach", "--json", "--runner", a.url, "--token", a.token, warmFailover, "napAndMarkFlow", "--ms", "20000", "--marker", marker]);
      assert.equal(submitted.code, 0, submitted.stderr);
      const id = (JSON.parse(submitted.stdout) as { executionId: string }).executionId;
      await until("the first attempt to start its nap on a warm worker pod", async () => lines("start") === 1);
      a.child.kill("SIGSTOP");
      await until("replica b to take the execution over", async () => b.output().includes(`resumed execution ${id}`), 30_000);
      a.child.kill("SIGCONT");
      await until("replica a to notice it lost the lease", async () => /lost the lease on execution/.test(a.output()), 30_000).catch((error: Error) => {
        throw new Error(`${error.message}\n--- replica a\n${a.output().slice(-4000)}\n--- replica b\n${b.output().slice(-4000)}`);
      });
      const ended = await until("replica b to finish the execution", async () => {
        const d = (await (await fetch(`${b.url}/api/v1/executions/${id}`, { headers: { authorization: `Bearer ${a.token}` } })).json()) as ExecutionDetailResponse;
        return d.status === "running" ? undefined : d;
      }, 90_000);
      const outputs = `\n--- replica a\n${a.output()}\n--- replica b\n${b.output()}`;
      assert.equal(ended.status, "succeeded", `${JSON.stringify(ended.error)}${outputs}`);
      assert.equal(ended.nodes.find((n) => n.id === "napAndMark")?.attempts, 2, `the warm attempt runs again on replica b${outputs}`);
      assert.equal(lines("start"), 2);
      assert.equal(lines("end"), 1, `replica a let its warm attempt run on beside replica b's${outputs}`);
    } finally {
      a.child.kill("SIGCONT");
      await proxyA.close();
      await proxyB.close();
    }
  });
});
