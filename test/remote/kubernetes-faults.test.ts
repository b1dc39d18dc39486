// Remote runs on the simulated API server while it misbehaves: 429 storms and
// 5xx answers, watches dropped mid-run, pods OOMKilled or evicted. Every
// execution must end with the right result, and no node that succeeded runs
// again: API failures are retried inside one attempt, pod failures cost one
// more attempt of that node only.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { LABELS, labelValue } from "../../runner/kube/pod-names.ts";
import type { ExecutionDetailResponse } from "../../runner/service/protocol.ts";
import { KubeSimulator } from "../kube-sim/simulator.ts";
import { aloftAsync, repo, startRunner, type RunnerProcess } from "./runner-process.ts";

const fanout = join(repo, "test/fixtures/remote/fanout.ts");
const xs = Array.from({ length: 12 }, (_, i) => i + 1);
const expected = xs.reduce((sum, x) => sum + x * x, 0);

describe("remote runs while the Kubernetes API misbehaves", () => {
  let sim: KubeSimulator;
  let runner: RunnerProcess;
  let client: string;

  const run = async (): Promise<ExecutionDetailResponse> => {
    const result = await aloftAsync(client, ["run", "--remote", "--json", "--runner", runner.url, "--token", runner.token, fanout, "sumOfSquares", "--xs", JSON.stringify(xs)]);
    assert.equal(result.code, 0, `${result.stderr}\n--- runner\n${runner.output()}`);
    const { executionId } = JSON.parse(result.stdout) as { executionId: string };
    const response = await fetch(`${runner.url}/api/v1/executions/${executionId}`, { headers: { authorization: `Bearer ${runner.token}` } });
    return (await response.json()) as ExecutionDetailResponse;
  };

  before(async () => {
    client = mkdtempSync(join(tmpdir(), "aloft-client-"));
    sim = await KubeSimulator.start({ podStartLatencyMs: 50, seed: 7 });
    const kubeconfig = join(client, "kubeconfig");
    sim.writeKubeconfig(kubeconfig);
    runner = await startRunner({ args: ["--kubeconfig", kubeconfig, "--qps", "50", "--burst", "100"] });
  });
  after(async () => {
    await runner?.stop();
    await sim?.stop();
  });

  it("survives a 429 storm, 5xx answers and dropped watches, each node running once", async () => {
    sim.resetCounts();
    sim.injectFault({ verb: "create", resource: "pods", status: 429, fraction: 0.4, retryAfterSeconds: 0 });
    sim.injectFault({ verb: "get", resource: "pods/log", status: 503, fraction: 0.2 });
    sim.injectFault({ verb: "delete", resource: "pods", status: 500, fraction: 0.3 });
    sim.injectFault({ verb: "list", resource: "pods", status: 503, count: 2 });
    const dropping = setInterval(() => sim.dropWatches({ abrupt: Math.random() < 0.5 }), 300);
    try {
      const detail = await run();
      assert.equal(detail.status, "succeeded", JSON.stringify(detail.error));
      assert.equal(detail.outputs, expected);
      for (const node of detail.nodes) assert.ok(node.attempts <= 1, `${node.id} ran ${node.attempts} times`);
    } finally {
      clearInterval(dropping);
      sim.clearFaults();
    }
    const injected = sim.counts().injected;
    assert.ok(Object.keys(injected).some((k) => k.startsWith("create pods 429")), JSON.stringify(injected));
  });

  it("runs an OOMKilled and an evicted pod's node again, and only that node", async () => {
    sim.armPodFault({ reason: "OOMKilled", labelSelector: `${LABELS.node}=${labelValue("square[3]")},${LABELS.attempt}=1`, count: 1, afterRunningMs: 20 });
    sim.armPodFault({ reason: "Evicted", labelSelector: `${LABELS.node}=${labelValue("total")},${LABELS.attempt}=1`, count: 1, afterRunningMs: 20 });
    const detail = await run();
    assert.equal(detail.status, "succeeded", JSON.stringify(detail.error));
    assert.equal(detail.outputs, expected);
    const attempts = Object.fromEntries(detail.nodes.filter((n) => n.attempts > 0).map((n) => [n.id, n.attempts]));
    const retried = Object.entries(attempts).filter(([, n]) => n > 1).map(([id]) => id).sort();
    assert.deepEqual(retried, ["square[3]", "total"].sort(), JSON.stringify(attempts));
    const retriedNode = detail.nodes.find((n) => n.id === "total")!;
    assert.equal(retriedNode.attempts, 2);
  });
});
