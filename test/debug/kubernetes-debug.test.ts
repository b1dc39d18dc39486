// The remote debugger on Kubernetes (the API simulator, through the real
// client-node): `aloft run --remote --debug trainModel` pauses trainModel's
// pod before the task runs; `aloft debug` opens a local port the runner
// relays over its WebSocket tunnel and a port-forward to the pod's
// inspector; a DevTools Protocol client breaks at a line of training.ts,
// reads a local variable, resumes, and the run completes.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { KubeSimulator } from "../kube-sim/simulator.ts";
import { aloftAsync, cli, repo, startRunnerOnSimulator, type RunnerProcess, type SimulatedCluster } from "../remote/runner-process.ts";
import { breakAndInspect, bundlePositionOf } from "./inspector-session.ts";

const training = join(repo, "samples/fraud/training.ts");
const data = join(repo, "samples/fraud/data");
const TRAIN_LINE = readFileSync(training, "utf8").split("\n").findIndex((l) => l.includes("const model = trainOnBatch(")) + 1;

describe("remote debugging on Kubernetes (simulated API server)", () => {
  let sim: KubeSimulator;
  let runner: RunnerProcess;
  let client: string;
  let cluster: SimulatedCluster | undefined;
  before(async () => {
    cluster = await startRunnerOnSimulator({ podStartLatencyMs: 100 });
    ({ sim, runner, client } = cluster);
  });
  after(() => cluster?.stop());
  const remote = (...args: string[]) => ["--runner", runner.url, "--token", runner.token, ...args];

  it("breaks in trainModel's .ts inside its pod through aloft debug, and the run completes", async () => {
    const submitted = await aloftAsync(client, ["run", "--remote", "--detach", "--json", "--debug", "trainModel", ...remote(training, "trainingWorkflow", "--data", data)]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const { executionId } = JSON.parse(submitted.stdout) as { executionId: string };

    const relay = spawn(process.execPath, [cli, "debug", executionId, "trainModel", "--json", ...remote()], { cwd: repo, env: { ...process.env, ALOFT_WORKSPACE: client, NO_COLOR: "1" } });
    let stderr = "";
    relay.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const relayExit = new Promise<number | null>((resolve) => relay.on("close", resolve));
    const line = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      relay.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("\n")) resolve(stdout.split("\n")[0]!);
      });
      void relayExit.then((code) => reject(new Error(`aloft debug exited with ${code}: ${stderr}\n--- runner\n${runner.output()}`)));
    });
    const target = JSON.parse(line) as { websocketAddress: string; nodeId: string; bundlePath: string; localBundlePath: string | null };
    assert.equal(target.nodeId, "trainIterative/trainModel");
    assert.ok(target.localBundlePath?.startsWith(client), `the client's own copy of the bundle: ${target.localBundlePath}`);

    const forwardsBefore = sim.counts().byRoute["create pods/portforward"] ?? 0;
    const stop = await breakAndInspect(target.websocketAddress, await bundlePositionOf(training, TRAIN_LINE), "({ batchName, rows: rows.length, pod: process.env.ALOFT_ATTEMPT })");
    assert.ok(stop.hitOurBreakpoint, `stopped in ${stop.functionName}`);
    const seen = stop.value as { batchName: string; rows: number; pod: string };
    assert.deepEqual([seen.batchName, seen.rows], ["batch-0000.csv", 1000]);
    assert.match(seen.pod, new RegExp(`^${executionId}~1~trainIterative/trainModel$`), "the debugger stopped inside the attempt's pod");
    assert.ok((sim.counts().byRoute["create pods/portforward"] ?? 0) > forwardsBefore, "the runner reached the inspector through a port-forward");

    assert.equal(await relayExit, 0, stderr);
    const followed = await aloftAsync(client, ["logs", executionId, "--follow", ...remote()]);
    assert.equal(followed.code, 0, followed.stderr);
    const ended = JSON.parse((await aloftAsync(client, ["executions", "get", executionId, "--json", ...remote()])).stdout) as { status: string };
    assert.equal(ended.status, "succeeded", runner.output());
  });
});
