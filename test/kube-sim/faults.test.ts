// The realism knobs, as a client sees them: injected 429s and 5xx, pods
// failed as OOMKilled or Evicted, request counts, and the same knobs through
// the simulator's /sim/ HTTP routes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ApiException, type V1Pod, Watch } from "@kubernetes/client-node";
import { isAlive, nodePod, type SimulatorClient, startSimulator, waitFor } from "./test-support.ts";

const namespace = "faults-test";
interface AdminAnswer {
  id?: number;
  podStartLatencyMs?: number;
  dropped?: number;
  message?: string;
}
const forever = "console.log(process.pid); setInterval(() => {}, 1000)";

describe("kube-sim faults and counts", () => {
  let client: SimulatorClient;
  before(async () => {
    client = await startSimulator({ seed: 7 });
    await client.core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  after(() => client.sim.stop());

  const readPod = (name: string) => client.core.readNamespacedPod({ namespace, name });
  const endedPod = (name: string) => async () => {
    const pod = await readPod(name);
    return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed" ? pod : undefined;
  };
  const terminated = (pod: V1Pod) => pod.status?.containerStatuses?.[0]?.state?.terminated;
  const runningPid = async (name: string) =>
    Number(
      await waitFor(`${name}'s pid`, async () => {
        if ((await readPod(name)).status?.phase !== "Running") return undefined;
        const log = await client.core.readNamespacedPodLog({ namespace, name });
        return log.endsWith("\n") ? log.trim() : undefined;
      }),
    );

  it("answers 429 with Retry-After for a count of requests, then serves again", async () => {
    client.sim.resetCounts();
    client.sim.injectFault({ verb: "create", resource: "pods", status: 429, count: 2, retryAfterSeconds: 3 });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await assert.rejects(client.core.createNamespacedPod({ namespace, body: nodePod("throttled", "") }), (error: ApiException<string>) => {
        assert.equal(error.code, 429);
        assert.equal(error.headers["retry-after"], "3");
        const status = JSON.parse(String(error.body));
        assert.equal(status.reason, "TooManyRequests");
        assert.equal(status.details.retryAfterSeconds, 3);
        return true;
      });
    }
    await client.core.createNamespacedPod({ namespace, body: nodePod("throttled", "") });
    const counts = client.sim.counts();
    assert.equal(counts.byRoute["create pods"], 3);
    assert.deepEqual(counts.injected, { "create pods 429": 2 });
  });

  it("fails a seeded fraction of requests with 503, and only the route it names", async () => {
    client.sim.resetCounts();
    const id = client.sim.injectFault({ verb: "list", resource: "pods", status: 503, fraction: 0.5 });
    let failures = 0;
    for (let i = 0; i < 40; i += 1) {
      try {
        await client.core.listNamespacedPod({ namespace });
      } catch (error) {
        assert.equal((error as ApiException<string>).code, 503);
        failures += 1;
      }
    }
    await client.core.readNamespace({ name: namespace });
    client.sim.removeFault(id);
    assert.ok(failures > 0 && failures < 40, `${failures} of 40 failed`);
    assert.deepEqual(client.sim.counts().injected, { "list pods 503": failures });
    assert.deepEqual(client.sim.counts().byRoute, { "get namespaces": 1, "list pods": 40 });
  });

  it("fails a watch with 500, which the Watch reports as its done error", async () => {
    client.sim.injectFault({ verb: "watch", status: 500, count: 1 });
    const error = await new Promise<{ statusCode?: number }>((resolve) => {
      void new Watch(client.kc).watch(`/api/v1/namespaces/${namespace}/pods`, {}, () => {}, resolve);
    });
    assert.equal(error.statusCode, 500);
  });

  it("fails a running pod as OOMKilled and kills its process", async () => {
    await client.core.createNamespacedPod({ namespace, body: nodePod("hungry", forever) });
    const pid = await runningPid("hungry");
    client.sim.failPod(namespace, "hungry", "OOMKilled");
    const pod = await waitFor("hungry to end", endedPod("hungry"));
    assert.equal(pod.status?.phase, "Failed");
    assert.deepEqual({ exitCode: terminated(pod)?.exitCode, reason: terminated(pod)?.reason }, { exitCode: 137, reason: "OOMKilled" });
    assert.equal(isAlive(pid), false);
    assert.throws(() => client.sim.failPod(namespace, "hungry", "Evicted"), /already ended/);
  });

  it("evicts the next matching pod that starts, by an armed pod fault", async () => {
    client.sim.armPodFault({ reason: "Evicted", labelSelector: "attempt=1" });
    await client.core.createNamespacedPod({ namespace, body: nodePod("spared", "console.log('done')", { labels: { attempt: "0" } }) });
    await client.core.createNamespacedPod({ namespace, body: nodePod("evicted", forever, { labels: { attempt: "1" } }) });
    await client.core.createNamespacedPod({ namespace, body: nodePod("retried", "console.log('done')", { labels: { attempt: "1" } }) });
    const evicted = await waitFor("evicted to end", endedPod("evicted"));
    assert.equal(evicted.status?.phase, "Failed");
    assert.equal(evicted.status?.reason, "Evicted");
    assert.match(evicted.status?.message ?? "", /low on resource/);
    assert.equal((await waitFor("spared to end", endedPod("spared"))).status?.phase, "Succeeded");
    assert.equal((await waitFor("retried to end", endedPod("retried"))).status?.phase, "Succeeded");
  });

  it("refuses a request without the kubeconfig's token", async () => {
    const response = await fetch(`${client.sim.url}/api/v1/namespaces`);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("content-type"), "application/json");
  });

  it("serves the same knobs and the counts over its /sim/ routes", async () => {
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${client.sim.url}/sim/${path}`, {
        method,
        headers: { "Content-Type": "application/json" },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as AdminAnswer }));

    assert.equal((await admin("DELETE", "counts")).status, 200);
    const fault = await admin("POST", "faults", { resource: "namespaces", status: 503, count: 1 });
    assert.equal(typeof fault.body.id, "number");
    await assert.rejects(client.core.readNamespace({ name: namespace }), (error: ApiException<string>) => error.code === 503);
    await client.core.readNamespace({ name: namespace });
    const counts = await admin("GET", "counts");
    assert.deepEqual(counts.body, { total: 2, byRoute: { "get namespaces": 2 }, injected: { "get namespaces 503": 1 } });

    assert.equal((await admin("PUT", "settings", { podStartLatencyMs: 250 })).body.podStartLatencyMs, 250);
    assert.equal((await admin("GET", "settings")).body.podStartLatencyMs, 250);
    assert.equal((await admin("PUT", "settings", { podStartLatencyMs: -1 })).status, 400);
    await admin("PUT", "settings", { podStartLatencyMs: 0 });

    await client.core.createNamespacedPod({ namespace, body: nodePod("failed-by-route", forever) });
    await runningPid("failed-by-route");
    const bad = await admin("POST", `pods/${namespace}/failed-by-route/fail`, { reason: "Tired" });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message ?? "", /OOMKilled.*Evicted/);
    assert.equal((await admin("POST", `pods/${namespace}/failed-by-route/fail`, { reason: "OOMKilled" })).status, 200);
    assert.equal(terminated(await waitFor("failed-by-route to end", endedPod("failed-by-route")))?.reason, "OOMKilled");

    assert.equal((await admin("POST", "watches/drop", {})).body.dropped, 0);
    assert.equal((await admin("POST", "history/compact")).status, 200);
    assert.equal((await admin("GET", "nothing-here")).status, 404);
  });
});
