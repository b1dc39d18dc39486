// `aloft debug ID NODE --local` as a user runs it: the built CLI in child
// processes, a workflow whose map item fails on one row, then that node
// replayed on this machine with the inputs it was given, from the local store
// and from a runner service in another workspace; once under a real debugger.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import CDP from "chrome-remote-interface";
import { aloftAsync, cli, repo, startRunner, type RunnerProcess } from "../remote/runner-process.ts";

const rows = join(repo, "test/fixtures/debug/rows.ts");
const BAD_ROW = 'bad row "carol,12x": amount "12x" is not a number';

interface RecordedNode {
  id: string;
  status: string;
  outputs: unknown;
  error: { code: string; message: string } | null;
}

function csvFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), "aloft-rows-")), "amounts.csv");
  writeFileSync(path, "name,amount\nada,3\nbob,4\ncarol,12x\ndave,5\n");
  return path;
}

/** Runs the fixture's workflow on `csv` (where `runArgs` say) and returns its execution id; it fails on carol's row. */
async function failedExecution(workspace: string, runArgs: string[], csv: string): Promise<string> {
  const run = await aloftAsync(workspace, ["run", ...runArgs, "--json", rows, "checkCsv", "--csv", csv]);
  assert.equal(run.code, 1, run.stderr);
  const result = JSON.parse(run.stdout) as { executionId: string; status: string; error: { message: string } };
  assert.equal(result.status, "failed");
  assert.ok(result.error.message.includes(BAD_ROW), result.error.message);
  return result.executionId;
}

describe("aloft debug ID NODE --local, from the local store", () => {
  let workspace: string;
  let executionId: string;
  let nodes: RecordedNode[];

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), "aloft-replay-"));
    executionId = await failedExecution(workspace, [], csvFile());
    const get = await aloftAsync(workspace, ["executions", "get", executionId, "--json"]);
    assert.equal(get.code, 0, get.stderr);
    nodes = (JSON.parse(get.stdout) as { nodes: RecordedNode[] }).nodes;
  });

  it("replays the failed item, named by its task, with its recorded input and reproduces its error", async () => {
    const failed = nodes.find((n) => n.status === "failed" && n.id.startsWith("checkRow["))!;
    assert.ok(failed.error?.message.includes(BAD_ROW));
    const replay = await aloftAsync(workspace, ["debug", executionId, "checkRow", "--local", "--no-pause"]);
    assert.equal(replay.code, 1, replay.stderr);
    assert.match(replay.stderr, new RegExp(`replaying node ${escape(failed.id)} \\(item checkRow\\) of execution ${executionId}`));
    assert.match(replay.stderr, /row: "carol,12x"/, "the recorded input is shown");
    assert.ok(replay.stderr.includes(`error [TASK_FAILED] ${failed.error!.message}`), replay.stderr);
    assert.match(replay.stderr, /at .*rows\.ts:\d+:\d+/, "the stack points into the workflow's TypeScript");
    assert.match(replay.stderr, /reproduced: the recorded attempt failed with the same error/);

    const json = await aloftAsync(workspace, ["debug", executionId, failed.id, "--local", "--no-pause", "--json"]);
    assert.equal(json.code, 1, json.stderr);
    const outcome = JSON.parse(json.stdout) as { nodeId: string; status: string; attempt: number; error: { code: string; message: string }; sameAsRecorded: boolean };
    assert.equal(outcome.nodeId, failed.id);
    assert.equal(outcome.status, "failed");
    assert.equal(outcome.error.code, failed.error!.code);
    assert.equal(outcome.error.message, failed.error!.message);
    assert.equal(outcome.attempt, 2, "numbered after the recorded attempt");
    assert.equal(outcome.sameAsRecorded, true);
  });

  it("replays succeeded nodes to the outputs they recorded", async () => {
    const item = await aloftAsync(workspace, ["debug", executionId, "checkRow[1]", "--local", "--no-pause"]);
    assert.equal(item.code, 0, item.stderr);
    assert.match(item.stdout, /^outputs\n {2}4\n$/);
    assert.match(item.stderr, /the same output as recorded/);

    const readRows = nodes.find((n) => n.id === "readRows")!;
    const replay = await aloftAsync(workspace, ["debug", executionId, "readRows", "--local", "--no-pause", "--json"]);
    assert.equal(replay.code, 0, replay.stderr);
    const outcome = JSON.parse(replay.stdout) as { status: string; outputs: unknown; sameAsRecorded: boolean };
    assert.equal(outcome.status, "succeeded");
    assert.deepEqual(outcome.outputs, readRows.outputs);
    assert.deepEqual(outcome.outputs, ["ada,3", "bob,4", "carol,12x", "dave,5"]);
    assert.equal(outcome.sameAsRecorded, true);
  });

  it("refuses a node that never received inputs, and names that nobody runs, naming node and execution", async () => {
    const skipped = await aloftAsync(workspace, ["debug", executionId, "total", "--local", "--no-pause"]);
    assert.equal(skipped.code, 2);
    assert.match(skipped.stderr, new RegExp(`REPLAY_NO_INPUTS.*node "total" \\(task total\\) of execution ${executionId} .*no recorded inputs to replay: it never started \\(skipped\\)`));
    const unknown = await aloftAsync(workspace, ["debug", executionId, "nosuch", "--local"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, new RegExp(`execution ${executionId} .*has no node "nosuch".*its tasks and dynamics: .*checkRow`));
    const missing = await aloftAsync(workspace, ["debug", "nosuchexecution", "checkRow", "--local"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no execution "nosuchexecution"/);
  });

  it("pauses the replay for a debugger, which sees the bundle with its source map and the error thrown, then lets it finish", async () => {
    const child = spawn(process.execPath, [cli, "debug", executionId, "checkRow", "--local", "--json"], {
      cwd: repo,
      env: { ...process.env, ALOFT_WORKSPACE: workspace, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      const waiting = await new Promise<{ nodeId: string; attempt: number; websocketAddress: string }>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          const line = stdout.split("\n")[0];
          if (stdout.includes("\n")) resolve(JSON.parse(line!));
        });
        void exited.then((code) => reject(new Error(`aloft debug exited with ${code} before a debugger attached:\n${stderr}`)));
      });
      assert.match(waiting.nodeId, /^checkRow\[\d+\]$/);
      assert.match(waiting.websocketAddress, /^ws:\/\/127\.0\.0\.1:\d+\/[\w-]+$/);

      const client = await CDP({ target: waiting.websocketAddress });
      const bundles: { url: string; sourceMapURL?: string }[] = [];
      const thrown: string[] = [];
      client.Debugger.scriptParsed((script) => {
        if (script.url.endsWith("/bundle.mjs")) bundles.push(script);
      });
      client.Debugger.paused(({ reason, data }) => {
        if (reason === "exception") thrown.push(String((data as { description?: string } | undefined)?.description ?? ""));
        void client.Debugger.resume();
      });
      await client.Debugger.enable({});
      await client.Debugger.setPauseOnExceptions({ state: "all" });
      await client.Runtime.runIfWaitingForDebugger();
      const code = await exited;
      await client.close().catch(() => {});
      assert.equal(code, 1, stderr);
      assert.equal(bundles.length, 1, "the worker loaded the execution's bundle");
      assert.equal(bundles[0]!.sourceMapURL, "bundle.mjs.map");
      assert.ok(existsSync(new URL(`${bundles[0]!.url}.map`)), "the source map sits beside the bundle");
      assert.ok(thrown.some((description) => description.includes(BAD_ROW)), `the debugger stopped on the task's error; it saw: ${thrown.join(" | ")}`);
      const outcome = JSON.parse(stdout.trim().split("\n").pop()!) as { status: string; error: { message: string } };
      assert.equal(outcome.status, "failed");
      assert.ok(outcome.error.message.includes(BAD_ROW));
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    }
  });
});

describe("aloft debug ID NODE --local, from a runner service", () => {
  let runner: RunnerProcess;

  before(async () => {
    runner = await startRunner();
  });
  after(async () => {
    await runner?.stop();
  });

  it("fetches the node's inputs, the bundle and its blobs into another workspace and reproduces the error", async () => {
    const submitter = mkdtempSync(join(tmpdir(), "aloft-submitter-"));
    const connect = ["--runner", runner.url, "--token", runner.token];
    const executionId = await failedExecution(submitter, ["--remote", ...connect], csvFile());

    // Shares nothing with the submitter but the runner.
    const developer = mkdtempSync(join(tmpdir(), "aloft-developer-"));
    const replay = await aloftAsync(developer, ["debug", executionId, "checkRow", "--local", "--no-pause", ...connect]);
    assert.equal(replay.code, 1, `${replay.stderr}\n--- runner\n${runner.output()}`);
    assert.match(replay.stderr, new RegExp(`of execution ${executionId} on the runner at ${escape(runner.url)}`));
    assert.ok(replay.stderr.includes(`error [TASK_FAILED] task "checkRow" failed: ${BAD_ROW}`), replay.stderr);
    assert.match(replay.stderr, /reproduced: the recorded attempt failed with the same error/);
    const bundles = join(developer, ".aloft/bundles");
    const [bundleDir] = readdirSync(bundles);
    assert.ok(existsSync(join(bundles, bundleDir!, "bundle.mjs")) && existsSync(join(bundles, bundleDir!, "bundle.mjs.map")), "the bundle and its source map, side by side");

    // A File input comes over as a blob, byte for byte.
    const readRows = await aloftAsync(developer, ["debug", executionId, "readRows", "--local", "--no-pause", "--json", ...connect]);
    assert.equal(readRows.code, 0, readRows.stderr);
    const outcome = JSON.parse(readRows.stdout) as { outputs: unknown; sameAsRecorded: boolean };
    assert.deepEqual(outcome.outputs, ["ada,3", "bob,4", "carol,12x", "dave,5"]);
    assert.equal(outcome.sameAsRecorded, true);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
