// `aloft executions cancel ID`: a local run that another process drives is
// asked to stop and waited for; one whose process was killed is ended where
// it stands; one on a runner service is cancelled there. Real processes,
// the built CLI, a real SQLite workspace.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { cli, repo, startRunner, type RunnerProcess } from "./remote/runner-process.ts";

const slowMiddle = join(repo, "test/fixtures/remote/restart.ts");

describe("aloft executions cancel", () => {
  let workspace: string;
  const env = () => ({ ...process.env, ALOFT_WORKSPACE: workspace, NO_COLOR: "1" });
  const aloft = (...args: string[]) => {
    const result = spawnSync(process.execPath, [cli, ...args], { cwd: repo, env: env(), encoding: "utf8" });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const detail = (id: string) => JSON.parse(aloft("executions", "get", id, "--json").stdout) as { status: string; nodes: { id: string; status: string }[] };

  /** Starts `aloft run` of slowMiddle in the background; resolves once its sleepy task runs. */
  async function startSlowRun(): Promise<{ id: string; exited: Promise<{ code: number | null; stderr: string }>; kill: (signal: NodeJS.Signals) => void }> {
    const child = spawn(process.execPath, [cli, "run", slowMiddle, "slowMiddle", "--x", "2", "--ms", "60000"], { cwd: repo, env: env(), stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on("exit", (code) => resolve({ code, stderr })));
    for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
      const running = (JSON.parse(aloft("executions", "list", "--json").stdout) as { executionId: string; status: string }[]).find((e) => e.status === "running");
      if (running && detail(running.executionId).nodes.some((n) => n.id === "sleepy" && n.status === "running")) {
        return { id: running.executionId, exited, kill: (signal) => child.kill(signal) };
      }
      assert.ok(Date.now() < deadline, `the run never reached its sleepy task:\n${stderr}`);
    }
  }

  before(() => {
    workspace = mkdtempSync(join(tmpdir(), "aloft-cancel-"));
  });

  it("stops a run that another process drives, and that process says so", { timeout: 120_000 }, async () => {
    const run = await startSlowRun();
    const cancelled = aloft("executions", "cancel", run.id, "--json");
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal(JSON.parse(cancelled.stdout).status, "cancelled");
    const ended = await run.exited;
    assert.equal(ended.code, 1);
    assert.match(ended.stderr, /slowMiddle cancelled/);
    assert.match(ended.stderr, /cancelled by request \(aloft executions cancel\)/);
    const nodes = detail(run.id).nodes;
    assert.notEqual(nodes.find((n) => n.id === "sleepy")?.status, "succeeded");
    assert.notEqual(nodes.find((n) => n.id === "last")?.status, "succeeded", "nothing after the cancelled task runs");
  });

  it("ends a run whose process was interrupted, which said how; cancelling again changes nothing", { timeout: 120_000 }, async () => {
    const run = await startSlowRun();
    run.kill("SIGINT");
    const interrupted = await run.exited;
    assert.equal(interrupted.code, 130);
    assert.match(interrupted.stderr, new RegExp(`execution ${run.id} stopped with this process\\. Finish it: aloft executions resume ${run.id}; or end it: aloft executions cancel ${run.id}`));
    assert.equal(detail(run.id).status, "running", "an interrupted run stays running, for resume");
    assert.match(aloft("executions", "list").stdout, new RegExp(`${run.id}  interrupted`));
    const cancelled = aloft("executions", "cancel", run.id);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, new RegExp(`execution ${run.id} cancelled`));
    const after = detail(run.id);
    assert.equal(after.status, "cancelled");
    assert.ok(after.nodes.every((n) => n.status !== "running"), JSON.stringify(after.nodes));
    assert.equal(aloft("executions", "cancel", run.id).code, 0);
    assert.equal(detail(run.id).status, "cancelled");
  });

  it("lists the cancelled executions alone with --status cancelled, and says which statuses there are", () => {
    const listed = (args: string[]) => (JSON.parse(aloft("executions", "list", "--json", ...args).stdout) as { executionId: string; status: string }[]);
    const cancelled = listed(["--status", "cancelled"]);
    assert.ok(cancelled.length >= 2, JSON.stringify(cancelled));
    assert.ok(cancelled.every((e) => e.status === "cancelled"));
    assert.deepEqual(listed(["--status", "succeeded"]), []);
    assert.match(aloft("executions", "list", "--status", "succeeded").stdout, /^no succeeded executions$/m);
    const bad = aloft("executions", "list", "--status", "done");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--status expects one of running, succeeded, failed, cancelled, got "done"/);
  });

  it("refuses to cancel an execution that already succeeded, and names an unknown one", () => {
    const done = aloft("run", "--json", slowMiddle, "slowMiddle", "--x", "2", "--ms", "0");
    assert.equal(done.code, 0, done.stderr);
    const id = JSON.parse(done.stdout).executionId as string;
    const refused = aloft("executions", "cancel", id);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`execution ${id} had already succeeded; there was nothing to cancel`));
    const unknown = aloft("executions", "cancel", "nosuchexecution");
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no execution "nosuchexecution"/);
    assert.match(aloft("executions", "cancel").stderr, /aloft executions cancel needs an execution id/);
  });

  describe("on a runner service", () => {
    let runner: RunnerProcess;
    before(async () => {
      // In the workspace of the local runs: the CLI sees its executions without --remote too.
      runner = await startRunner({ workspace });
    });
    after(() => runner?.stop());

    it("cancels a submitted execution there", { timeout: 120_000 }, async () => {
      const remote = (...args: string[]) => aloft(...args, "--runner", runner.url, "--token", runner.token);
      const submitted = aloft("run", "--remote", "--runner", runner.url, "--token", runner.token, "--detach", "--json", slowMiddle, "slowMiddle", "--x", "2", "--ms", "60000");
      assert.equal(submitted.code, 0, submitted.stderr);
      const id = JSON.parse(submitted.stdout).executionId as string;
      for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
        const nodes = (JSON.parse(remote("executions", "get", id, "--json").stdout) as { nodes: { id: string; status: string }[] }).nodes;
        if (nodes.some((n) => n.id === "sleepy" && n.status === "running")) break;
        assert.ok(Date.now() < deadline, `sleepy never ran on the runner:\n${runner.output()}`);
      }
      const cancelled = remote("executions", "cancel", id);
      assert.equal(cancelled.code, 0, cancelled.stderr);
      assert.match(cancelled.stdout, new RegExp(`execution ${id} cancelled`));
      assert.equal(JSON.parse(remote("executions", "get", id, "--json").stdout).status, "cancelled");
      const listed = JSON.parse(remote("executions", "list", "--status", "cancelled", "--json").stdout) as { executionId: string; status: string }[];
      assert.ok(listed.some((e) => e.executionId === id) && listed.every((e) => e.status === "cancelled"), JSON.stringify(listed));
    });

    it("asks the runner service of the workspace to cancel one of its executions, without --remote", { timeout: 120_000 }, async () => {
      const submitted = aloft("run", "--remote", "--runner", runner.url, "--token", runner.token, "--detach", "--json", slowMiddle, "slowMiddle", "--x", "2", "--ms", "60000");
      assert.equal(submitted.code, 0, submitted.stderr);
      const id = JSON.parse(submitted.stdout).executionId as string;
      assert.match(aloft("executions", "list").stdout, new RegExp(`${id}  running`), "the runner service's execution is not taken for an interrupted local run");
      const cancelled = aloft("executions", "cancel", id);
      assert.equal(cancelled.code, 0, `${cancelled.stderr}\n--- runner\n${runner.output()}`);
      assert.match(cancelled.stdout, new RegExp(`execution ${id} cancelled`));
    });

    it("stops following an execution at Ctrl-C, which runs on, and says how to follow or cancel it", { timeout: 120_000 }, async () => {
      const child = spawn(process.execPath, [cli, "run", "--remote", "--runner", runner.url, "--token", runner.token, slowMiddle, "slowMiddle", "--x", "2", "--ms", "60000"], { cwd: repo, env: env(), stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      let id = "";
      for (const deadline = Date.now() + 60_000; !id; await sleep(100)) {
        id = /execution (\w+) {2}workflow slowMiddle/.exec(stderr)?.[1] ?? "";
        assert.ok(Date.now() < deadline, `the run never started:\n${stderr}`);
      }
      child.kill("SIGINT");
      assert.equal(await exited, 130);
      const runnerFlag = `--runner ${runner.url}`;
      assert.ok(stderr.includes(`stopped following: execution ${id} runs on at ${runner.url}. Follow it again: aloft logs ${id} --follow ${runnerFlag}; stop it: aloft executions cancel ${id} ${runnerFlag}`), stderr);
      const remote = (...args: string[]) => aloft(...args, "--runner", runner.url, "--token", runner.token);
      assert.equal(JSON.parse(remote("executions", "get", id, "--json").stdout).status, "running");
      const cancelled = remote("executions", "cancel", id);
      assert.equal(cancelled.code, 0, cancelled.stderr);
      assert.match(cancelled.stdout, new RegExp(`execution ${id} cancelled`));
      assert.equal(JSON.parse(remote("executions", "get", id, "--json").stdout).status, "cancelled");
    });
  });
});
