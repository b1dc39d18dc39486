// `aloft run --remote` with the runner on Kubernetes: the runner (its own
// process) talks to the API simulator through client-node; every task is a
// pod from a stock Node image whose command fetches the agent from the
// runner. The fraud sample gives what a local run gives.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { KubeSimulator } from "../kube-sim/simulator.ts";
import { aloftAsync, repo, startRunner, type RunnerProcess } from "./runner-process.ts";

const training = join(repo, "samples/fraud/training.ts");
const data = join(repo, "samples/fraud/data");

describe("remote runs on Kubernetes (simulated API server)", () => {
  let sim: KubeSimulator;
  let runner: RunnerProcess;
  let client: string;
  const aloft = (...args: string[]) => aloftAsync(client, args);

  before(async () => {
    client = mkdtempSync(join(tmpdir(), "aloft-client-"));
    sim = await KubeSimulator.start({ podStartLatencyMs: 100 });
    const kubeconfig = join(client, "kubeconfig");
    sim.writeKubeconfig(kubeconfig);
    runner = await startRunner({ args: ["--kubeconfig", kubeconfig] });
  });
  after(async () => {
    await runner?.stop();
    await sim?.stop();
  });

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
