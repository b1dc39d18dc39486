// `aloft run --remote` with the runner on Kubernetes: the runner (its own
// process) talks to the API simulator through client-node; every task is a
// pod from a stock Node image whose command fetches the agent from the
// runner. The fraud sample gives what a local run gives.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import * as k8s from "@kubernetes/client-node";
import type { ExecutionDetailResponse } from "../../runner/service/protocol.ts";
import type { KubeSimulator } from "../kube-sim/simulator.ts";
import { aloftAsync, attemptPodEnv, repo, startRunnerOnSimulator, type RunnerProcess, type SimulatedCluster } from "./runner-process.ts";

const training = join(repo, "samples/fraud/training.ts");
const data = join(repo, "samples/fraud/data");

describe("remote runs on Kubernetes (simulated API server)", () => {
  let sim: KubeSimulator;
  let runner: RunnerProcess;
  let client: string;
  const aloft = (...args: string[]) => aloftAsync(client, args);

  let cluster: SimulatedCluster | undefined;

  before(async () => {
    cluster = await startRunnerOnSimulator({ podStartLatencyMs: 100 });
    ({ sim, runner, client } = cluster);
  });
  after(() => cluster?.stop());

  it("trains the fraud model in pods to the same model and metrics as locally", async () => {
    const local = await aloft("run", "--json", training, "trainingWorkflow", "--data", data);
    assert.equal(local.code, 0, local.stderr);
    sim.resetCounts();
    const there = await aloft("run", "--remote", "--runner", runner.url, "--token", runner.token, training, "trainingWorkflow", "--data", data);
    assert.equal(there.code, 0, `${there.stderr}\n--- runner\n${runner.output()}`);
    assert.match(runner.output(), /tasks run on Kubernetes \(context [^,]+, namespace default/);
    assert.match(there.stdout + there.stderr, /\[prepareBatches\] prepareBatches: 6000 transactions/, "the pod's log streams to the client");
    const counts = sim.counts();
    // prepareBatches, six trainModel attempts, evaluate, the dynamic: one pod each, all deleted after.
    assert.equal(counts.byRoute["create pods"], 9, JSON.stringify(counts.byRoute));
    assert.equal(counts.byRoute["delete pods"], 9, JSON.stringify(counts.byRoute));
    // Run again for the JSON outputs: the cached tasks start no pod; the dynamic body runs again.
    const detail = JSON.parse((await aloft("run", "--remote", "--runner", runner.url, "--token", runner.token, "--json", training, "trainingWorkflow", "--data", data)).stdout);
    const l = JSON.parse(local.stdout);
    assert.equal(detail.outputs.model.digest, l.outputs.model.digest);
    assert.deepEqual(detail.outputs.metrics, l.outputs.metrics);
  });
});

describe("attempt tokens", () => {
  let sim: KubeSimulator;
  let runner: RunnerProcess;
  let client: string;

  let cluster: SimulatedCluster | undefined;

  before(async () => {
    cluster = await startRunnerOnSimulator({ podStartLatencyMs: 50 });
    ({ sim, runner, client } = cluster);
  });
  after(() => cluster?.stop());

  it("refuses to start on a namespace that does not exist or an API server that does not answer", async () => {
    const missing = join(client, "kubeconfig-missing-namespace");
    sim.writeKubeconfig(missing, "nowhere");
    const refused = await aloftAsync(client, ["runner", "start", "--port", "0", "--kubeconfig", missing]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /namespace "nowhere" does not exist on http:\/\/127\.0\.0\.1:\d+ \(context kube-sim\); create it \(kubectl create namespace nowhere\)/);
    const dead = join(client, "kubeconfig-dead");
    const { writeFileSync, readFileSync } = await import("node:fs");
    writeFileSync(dead, readFileSync(join(client, "kubeconfig"), "utf8").replace(/http:\/\/127\.0\.0\.1:\d+/, "http://127.0.0.1:9"));
    const unreachable = await aloftAsync(client, ["runner", "start", "--port", "0", "--kubeconfig", dead]);
    assert.equal(unreachable.code, 2);
    assert.match(unreachable.stderr, /cannot use the Kubernetes API server http:\/\/127\.0\.0\.1:9/);
  });

  it("cancels a running execution: its pod is deleted and nothing after it starts", async () => {
    const slow = join(repo, "test/fixtures/remote/restart.ts");
    const submitted = await aloftAsync(client, ["run", "--remote", "--detach", "--json", "--runner", runner.url, "--token", runner.token, slow, "slowMiddle", "--x", "2", "--ms", "20000"]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const executionId = (JSON.parse(submitted.stdout) as { executionId: string }).executionId;
    const kc = new k8s.KubeConfig();
    kc.loadFromString(sim.kubeconfig());
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const sleepyPods = async () => (await core.listNamespacedPod({ namespace: "default" })).items.filter((p) => p.metadata?.annotations?.["aloft.dev/node-id"] === "sleepy" && p.metadata?.annotations?.["aloft.dev/execution-id"] === executionId);
    for (const deadline = Date.now() + 30_000; (await sleepyPods()).every((p) => p.status?.phase !== "Running"); await sleep(100)) {
      assert.ok(Date.now() < deadline, "the sleepy task's pod never ran");
    }
    const cancelled = await fetch(`${runner.url}/api/v1/executions/${executionId}/cancel`, { method: "POST", headers: { authorization: `Bearer ${runner.token}` } });
    assert.equal(cancelled.status, 200);
    assert.equal(((await cancelled.json()) as { status: string }).status, "cancelled");
    const detail = (await (await fetch(`${runner.url}/api/v1/executions/${executionId}`, { headers: { authorization: `Bearer ${runner.token}` } })).json()) as ExecutionDetailResponse;
    assert.equal(detail.status, "cancelled");
    assert.notEqual(detail.nodes.find((n) => n.id === "sleepy")?.status, "succeeded");
    assert.equal(detail.nodes.find((n) => n.id === "last")?.attempts, 0);
    for (const deadline = Date.now() + 15_000; (await sleepyPods()).length > 0; await sleep(100)) {
      assert.ok(Date.now() < deadline, "the cancelled attempt's pod was not deleted");
    }
  });

  it("open only their own attempt's routes, and nothing once tampered with", async () => {
    const slow = join(repo, "test/fixtures/remote/restart.ts");
    const submitted = await aloftAsync(client, ["run", "--remote", "--detach", "--json", "--runner", runner.url, "--token", runner.token, slow, "slowMiddle", "--x", "2", "--ms", "3000"]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const executionId = (JSON.parse(submitted.stdout) as { executionId: string }).executionId;
    // Read the token off the running pod, as a task (or anyone who can read pods) could.
    const env = await attemptPodEnv(sim, "sleepy");
    const token = env.ALOFT_ATTEMPT_TOKEN!;
    const own = env.ALOFT_ATTEMPT!;
    const call = (path: string, bearer = token, init: RequestInit = {}) => fetch(`${runner.url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" } });
    assert.equal((await call(`/attempts/${encodeURIComponent(own)}`)).status, 200);
    const other = `${executionId}~1~first`;
    const refused = await call(`/attempts/${encodeURIComponent(other)}`);
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /ATTEMPT_TOKEN_MISMATCH/);
    assert.equal((await call(`/attempts/${encodeURIComponent(other)}/result`, token, { method: "POST", body: JSON.stringify({ result: { ok: true, output: 0 } }) })).status, 403);
    assert.equal((await call("/executions")).status, 403, "an attempt token opens no user route");
    const [head, payload, signature] = token.split(".") as [string, string, string];
    const forged = Buffer.from(JSON.stringify([executionId, "first", 1, Date.now() + 60_000])).toString("base64url");
    assert.equal((await call(`/attempts/${encodeURIComponent(other)}`, `${head}.${forged}.${signature}`)).status, 401);
    assert.equal((await call(`/attempts/${encodeURIComponent(own)}`, `${head}.${payload}.${signature.slice(0, -2)}xx`)).status, 401);
    // The run itself is untouched by all this.
    for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
      const detail = (await (await call(`/executions/${executionId}`, runner.token)).json()) as ExecutionDetailResponse;
      if (detail.status !== "running") {
        assert.equal(detail.status, "succeeded");
        assert.equal(detail.outputs, (2 + 1) * 2 - 3);
        break;
      }
      assert.ok(Date.now() < deadline);
    }
  });
});
