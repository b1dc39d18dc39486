// `--debug NODE`: the chosen attempt waits for a debugger before its code
// runs, a debugger attaches (chrome-remote-interface, speaking the protocol
// VS Code's debugger speaks), breaks at a line of the fraud sample's
// `trainModel` in the `.ts`, reads a local variable, resumes, and the run
// completes. Locally the worker's inspector is reached directly; through a
// runner service it is reached only through `aloft debug`'s relay.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { aloftAsync, cli, repo, startRunner, type RunnerProcess } from "../remote/runner-process.ts";
import { breakAndInspect, bundlePositionOf } from "./inspector-session.ts";

const training = join(repo, "samples/fraud/training.ts");
const data = join(repo, "samples/fraud/data");
/** `const model = trainOnBatch(start, batchName, rows, TRAINING);` inside trainModel. */
const TRAIN_LINE = readFileSync(training, "utf8").split("\n").findIndex((l) => l.includes("const model = trainOnBatch(")) + 1;

/** Starts the CLI and resolves once `pattern` appears in what it wrote. */
function startCli(workspace: string, args: string[]): { child: ChildProcess; output: () => string; waitFor: (pattern: RegExp) => Promise<RegExpExecArray>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [cli, ...args], { cwd: repo, env: { ...process.env, ALOFT_WORKSPACE: workspace, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    listeners.forEach((l) => l());
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const look = () => {
        const match = pattern.exec(output);
        if (match) {
          listeners.delete(look);
          resolve(match);
        }
      };
      listeners.add(look);
      void exit.then((code) => reject(new Error(`aloft ${args.join(" ")} exited with ${code} before printing ${pattern}:\n${output}`)));
      look();
    });
  return { child, output: () => output, waitFor, exit };
}

describe("aloft run --debug", () => {
  it("pauses trainModel locally until a debugger attaches, breaks in the .ts, and completes", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "aloft-debug-local-"));
    const run = startCli(workspace, ["run", "--debug", "trainModel", training, "trainingWorkflow", "--data", data]);
    const [, address] = await run.waitFor(/waiting for a debugger at (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/);
    const stop = await breakAndInspect(address!, await bundlePositionOf(training, TRAIN_LINE), "({ batchName, rows: rows.length })");
    assert.ok(stop.hitOurBreakpoint, `stopped elsewhere: ${stop.functionName}`);
    assert.deepEqual(stop.value, { batchName: "batch-0000.csv", rows: 1000 });
    assert.equal(await run.exit, 0, run.output());
    assert.match(run.output(), /trainingWorkflow succeeded/);
    assert.equal(run.output().match(/waiting for a debugger/g)?.length, 1, "one attempt is paused, not every trainModel");
  });

  it("refuses a node that names no task, before anything runs", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "aloft-debug-local-"));
    const result = await aloftAsync(workspace, ["run", "--debug", "trainModle", training, "trainingWorkflow", "--data", data]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--debug trainModle: .*training\.ts has no task or dynamic of that name.*trainModel/s);
  });
});

describe("aloft debug through a runner service", () => {
  let runner: RunnerProcess;
  let client: string;
  before(async () => {
    client = mkdtempSync(join(tmpdir(), "aloft-debug-client-"));
    runner = await startRunner();
  });
  after(async () => {
    await runner?.stop();
  });
  const remote = (...args: string[]) => ["--runner", runner.url, "--token", runner.token, ...args];

  it("says why when the node never pauses", async () => {
    const submitted = await aloftAsync(client, ["run", "--remote", "--json", ...remote(training, "trainingWorkflow", "--data", data)]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const { executionId } = JSON.parse(submitted.stdout) as { executionId: string };
    const relay = await aloftAsync(client, ["debug", executionId, "trainModel", ...remote()]);
    assert.equal(relay.code, 2);
    assert.match(relay.stderr, /execution \w+ has succeeded before node "trainModel" paused for a debugger; run it with aloft run --remote --debug trainModel/);
  });
  it("relays a local port to the paused attempt (which runs although its outputs are cached), and the run completes", async () => {
    const submitted = await aloftAsync(client, ["run", "--remote", "--detach", "--json", "--debug", "trainModel", ...remote(training, "trainingWorkflow", "--data", data)]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const { executionId } = JSON.parse(submitted.stdout) as { executionId: string };
    const relay = startCli(client, ["debug", executionId, "trainModel", "--json", ...remote()]);
    const [line] = await relay.waitFor(/^\{.*\}$/m);
    const target = JSON.parse(line) as { port: number; websocketAddress: string; nodeId: string; bundlePath: string };
    assert.match(target.websocketAddress, new RegExp(`^ws://127\\.0\\.0\\.1:${target.port}/`));
    assert.equal(target.nodeId, "trainIterative/trainModel");
    const stop = await breakAndInspect(target.websocketAddress, await bundlePositionOf(training, TRAIN_LINE), "batchName");
    assert.ok(stop.hitOurBreakpoint);
    assert.equal(stop.value, "batch-0000.csv");
    assert.equal(await relay.exit, 0, `the relay ends with the attempt:\n${relay.output()}`);
    const followed = await aloftAsync(client, ["logs", executionId, "--follow", ...remote()]);
    assert.equal(followed.code, 0, followed.stderr);
    const ended = await aloftAsync(client, ["executions", "get", executionId, "--json", ...remote()]);
    const detail = JSON.parse(ended.stdout) as { status: string; nodes: { id: string; cached: boolean }[] };
    assert.equal(detail.status, "succeeded", ended.stdout);
    assert.equal(detail.nodes.find((n) => n.id === "trainIterative/trainModel")?.cached, false, "the debugged node ran");
    assert.equal(detail.nodes.find((n) => n.id === "trainIterative/trainModel-2")?.cached, true, "the others came from the cache");
  });
});
