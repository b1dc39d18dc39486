// A runner killed with SIGKILL (or stopped with SIGTERM) in the middle of an execution, then started
// again on the same workspace, finishes it without running again a node that
// had finished: on Kubernetes it waits on the pods that ran on meanwhile; on
// local processes (which died with it) it runs only the interrupted attempt again.
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import type { ExecutionDetailResponse } from "../../runner/service/protocol.ts";
import { KubeSimulator } from "../kube-sim/simulator.ts";
import { aloftAsync, repo, startRunner, type RunnerProcess } from "./runner-process.ts";

const training = join(repo, "samples/fraud/training.ts");
const data = join(repo, "samples/fraud/data");

async function detail(runner: RunnerProcess, id: string): Promise<ExecutionDetailResponse> {
  const response = await fetch(`${runner.url}/api/v1/executions/${id}`, { headers: { authorization: `Bearer ${runner.token}` } });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as ExecutionDetailResponse;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const slowMiddle = join(repo, "test/fixtures/remote/restart.ts");

/** The lines of the log files named `name` the runner in `workspace` has kept. */
function keptLines(workspace: string, name: string): string[] {
  const root = join(workspace, ".aloft");
  if (!existsSync(root)) return [];
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((file) => basename(file) === name);
  return files.flatMap((file) => readFileSync(join(root, file), "utf8").split("\n").filter(Boolean));
}
const fraudRun = [training, "trainingWorkflow", "--data", data];

/** Submits `run` detached, kills the runner once `ready` says so, restarts it, and returns the ended execution. */
async function killAndRestart(
  args: string[],
  run: string[],
  ready: (d: ExecutionDetailResponse, runner: RunnerProcess) => boolean,
  signal: NodeJS.Signals = "SIGKILL",
): Promise<{ id: string; client: string; before: ExecutionDetailResponse; after: ExecutionDetailResponse; restarted: RunnerProcess }> {
  const client = mkdtempSync(join(tmpdir(), "aloft-client-"));
  const first = await startRunner({ args });
  const submitted = await aloftAsync(client, ["run", "--remote", "--detach", "--json", "--runner", first.url, "--token", first.token, ...run]);
  assert.equal(submitted.code, 0, submitted.stderr);
  const id = (JSON.parse(submitted.stdout) as { executionId: string }).executionId;
  const before = await waitFor("the moment to kill the runner", async () => {
    const d = await detail(first, id);
    assert.equal(d.status, "running", `the execution ended before the runner could be killed: ${JSON.stringify(d.nodes.map((n) => [n.id, n.status]))}`);
    return ready(d, first) ? d : undefined;
  });
  // A stop that waited for the execution to end would outlive the bound: the restart would then find nothing to resume.
  const stopped = await Promise.race([first.stop(signal), sleep(20_000).then(() => "still running" as const)]);
  assert.notEqual(stopped, "still running", `the runner did not exit within 20 s of ${signal}:\n${first.output()}`);
  const restarted = await startRunner({ workspace: first.workspace, args, port: Number(new URL(first.url).port) });
  const after = await waitFor("the execution to end after the restart", async () => {
    const d = await detail(restarted, id);
    return d.status === "running" ? undefined : d;
  }).catch(async (error: Error) => {
    const d = await detail(restarted, id);
    throw new Error(`${error.message}\nnodes: ${JSON.stringify(d.nodes.map((n) => [n.id, n.status, n.attempts]))}\n--- first runner\n${first.output()}\n--- restarted runner\n${restarted.output()}`);
  });
  return { id, client, before, after, restarted };
}

describe("a runner killed mid-run and restarted", () => {
  let sim: KubeSimulator;
  const runners: RunnerProcess[] = [];

  before(async () => {
    sim = await KubeSimulator.start({ podStartLatencyMs: 300 });
  });
  after(async () => {
    for (const runner of runners) await runner.stop();
    await sim?.stop();
  });

  it("on Kubernetes, adopts the pods still running and starts no pod twice", async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "aloft-kube-")), "kubeconfig");
    sim.writeKubeconfig(kubeconfig);
    sim.resetCounts();
    const { before, after, restarted } = await killAndRestart(["--kubeconfig", kubeconfig], fraudRun, (d) =>
      d.nodes.some((n) => n.id === "prepareBatches" && n.status === "succeeded") && d.nodes.some((n) => n.id.startsWith("trainIterative/") && n.status === "running"),
    );
    runners.push(restarted);
    assert.equal(after.status, "succeeded", JSON.stringify(after.error));
    for (const node of after.nodes) assert.equal(node.attempts <= 1, true, `node ${node.id} ran ${node.attempts} times`);
    const finishedBefore = before.nodes.filter((n) => n.status === "succeeded").map((n) => n.id);
    assert.ok(finishedBefore.includes("prepareBatches"));
    const creates = sim.counts().byRoute["create pods"] ?? 0;
    const ran = after.nodes.filter((n) => n.attempts > 0 && n.kind !== "workflow").length;
    assert.equal(creates, ran, `one pod per attempt: ${creates} pods for ${ran} attempts`);
    assert.match(restarted.output(), /resumed execution/);
  });

  it("on Kubernetes, stopped with SIGTERM, exits at once and leaves its pods to the runner that resumes", async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "aloft-kube-")), "kubeconfig");
    sim.writeKubeconfig(kubeconfig);
    sim.resetCounts();
    const { after, restarted } = await killAndRestart(
      ["--kubeconfig", kubeconfig],
      fraudRun,
      (d) => d.nodes.some((n) => n.id.startsWith("trainIterative/") && n.status === "running"),
      "SIGTERM",
    );
    runners.push(restarted);
    assert.equal(after.status, "succeeded", JSON.stringify(after.error));
    for (const node of after.nodes) assert.equal(node.attempts <= 1, true, `node ${node.id} ran ${node.attempts} times`);
    const ran = after.nodes.filter((n) => n.attempts > 0 && n.kind !== "workflow").length;
    assert.equal(sim.counts().byRoute["create pods"] ?? 0, ran, "the pods a stopping runner left were adopted, not started again");
  });

  it("on Kubernetes, goes on with an adopted pod's log after what was kept, repeating none of it", async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "aloft-kube-")), "kubeconfig");
    sim.writeKubeconfig(kubeconfig);
    // Stopped once the runner has kept sleepy's first line, while sleepy's pod waits.
    const { id, client, after, restarted } = await killAndRestart(
      ["--kubeconfig", kubeconfig],
      [slowMiddle, "slowMiddle", "--x", "4", "--ms", "3000"],
      (d, first) => d.nodes.some((n) => n.id === "sleepy" && n.status === "running") && keptLines(first.workspace, "sleepy.1.jsonl").length > 0,
      "SIGTERM",
    );
    runners.push(restarted);
    assert.equal(after.status, "succeeded", JSON.stringify(after.error));
    assert.equal(after.nodes.find((n) => n.id === "sleepy")?.attempts, 1, "the pod was adopted, not run again");
    const logs = await aloftAsync(client, ["logs", id, "sleepy", "--runner", restarted.url, "--token", restarted.token]);
    assert.equal(logs.code, 0, logs.stderr);
    const lines = logs.stdout.split("\n").filter((line) => line.startsWith("sleepy:"));
    assert.deepEqual(lines, ["sleepy: waiting 3000 ms", "sleepy: woke up"], logs.stdout);
  });

  it("on local processes, runs again only the attempt the kill interrupted", async () => {
    const { after, restarted } = await killAndRestart([], [slowMiddle, "slowMiddle", "--x", "4", "--ms", "1500"], (d) =>
      d.nodes.some((n) => n.id === "first" && n.status === "succeeded") && d.nodes.some((n) => n.id === "sleepy" && n.status === "running"),
    );
    runners.push(restarted);
    assert.equal(after.status, "succeeded", JSON.stringify(after.error));
    assert.equal(after.outputs, (4 + 1) * 2 - 3);
    const attempts = Object.fromEntries(after.nodes.map((n) => [n.id, n.attempts]));
    assert.deepEqual(attempts, { first: 1, sleepy: 2, last: 1 }, "the finished node did not run again; the interrupted one ran once more");
  });
});
