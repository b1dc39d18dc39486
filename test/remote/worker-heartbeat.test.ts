// A warm worker pod whose connection to the runner goes silent without
// closing (a network path that died: neither end sees a close). The runner
// pings its workers; one that misses a heartbeat is taken for lost, its pod
// deleted and its attempt run again on another pod. The worker pod's agent
// answers pings from a thread of its own, so a task busy computing is not
// mistaken for a silent worker.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ExecutionDetailResponse } from "../../runner/service/protocol.ts";
import { waitFor } from "../kube-sim/test-support.ts";
import { aloftAsync, repo, STALL_MAP_ITEMS, startRunnerOnSimulator, startStallMap, type SimulatedCluster } from "./runner-process.ts";
import { ServiceProxy } from "./service-proxy.ts";

const fixture = join(repo, "test/fixtures/remote/warm.ts");

describe("warm worker pods whose connection goes silent", () => {
  let proxy: ServiceProxy;
  let cluster: SimulatedCluster;

  before(async () => {
    proxy = await ServiceProxy.start();
    // Pods reach the runner through the proxy, which can silence their connections.
    cluster = await startRunnerOnSimulator({ podStartLatencyMs: 100, args: ["--advertise-url", proxy.url, "--heartbeat", "1s"] });
    proxy.add(cluster.runner.url);
  });
  after(async () => {
    await cluster?.stop();
    await proxy?.close();
  });

  it("takes a worker pod that stopped answering for lost, and runs its attempt again on another pod", async () => {
    const { runner, client } = cluster;
    const { executionId, stalledOn: silenced } = await startStallMap(client, runner);
    // The workers' WebSockets go silent; their pods' other requests still pass.
    proxy.freeze((opening) => /^upgrade: websocket/im.test(opening));
    const detail = await waitFor(
      "the execution to end",
      async () => {
        const response = await fetch(`${runner.url}/api/v1/executions/${executionId}`, { headers: { authorization: `Bearer ${runner.token}` } });
        const d = (await response.json()) as ExecutionDetailResponse;
        return d.status === "running" ? undefined : d;
      },
      30_000,
    ).catch(async (error: Error) => {
      const response = await fetch(`${runner.url}/api/v1/executions/${executionId}`, { headers: { authorization: `Bearer ${runner.token}` } });
      const d = (await response.json()) as ExecutionDetailResponse;
      throw new Error(`${error.message}\nnodes: ${JSON.stringify(d.nodes.map((n) => [n.id, n.status, n.attempts]))}\n--- runner\n${runner.output()}`);
    });
    assert.equal(detail.status, "succeeded", `${JSON.stringify(detail.error)}\n--- runner\n${runner.output()}`);
    const results = detail.outputs as { value: number; host: string }[];
    assert.deepEqual(results.map((r) => r.value), STALL_MAP_ITEMS.map((x) => x + 1));
    assert.notEqual(results[2]!.host, silenced, "the attempt ran again on another pod");
    assert.equal(detail.nodes.find((n) => n.id === "stallOnce[2]")?.attempts, 2);
    assert.match(runner.output(), new RegExp(`${silenced}.*stopped answering the runner's heartbeat`));
  });
  it("does not take a worker pod whose task keeps its thread busy past several heartbeats for a silent one", async () => {
    const { runner, client } = cluster;
    const result = await aloftAsync(client, ["run", "--remote", "--json", "--runner", runner.url, "--token", runner.token, fixture, "busyFor", "--ms", "4000"]);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}\n--- runner\n${runner.output()}`);
    const { executionId, outputs } = JSON.parse(result.stdout) as { executionId: string; outputs: unknown };
    assert.equal(outputs, true);
    const response = await fetch(`${runner.url}/api/v1/executions/${executionId}`, { headers: { authorization: `Bearer ${runner.token}` } });
    const detail = (await response.json()) as ExecutionDetailResponse;
    assert.equal(detail.nodes.find((n) => n.id === "busyFor")?.attempts, 1, runner.output());
  });
});
