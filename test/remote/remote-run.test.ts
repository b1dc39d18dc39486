// `aloft run --remote` against a real runner service in its own process: the
// fraud sample gives what a local run gives, uploads are deduplicated, logs
// stream while it runs, and a runner killed mid-run finishes the execution
// after a restart without running a finished node again.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli, repo, startRunner, type RunnerProcess } from "./runner-process.ts";

const training = join(repo, "samples/fraud/training.ts");
const data = join(repo, "samples/fraud/data");

describe("aloft run --remote", () => {
  let runner: RunnerProcess;
  let client: string;
  const aloft = (...args: string[]) => {
    const result = spawnSync(process.execPath, [cli, ...args], { cwd: repo, env: { ...process.env, ALOFT_WORKSPACE: client, NO_COLOR: "1" }, encoding: "utf8" });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const remote = (...args: string[]) => aloft("run", "--remote", "--runner", runner.url, "--token", runner.token, ...args);

  before(async () => {
    client = mkdtempSync(join(tmpdir(), "aloft-client-"));
    runner = await startRunner();
  });
  after(async () => {
    await runner?.stop();
  });

  it("trains the fraud model remotely to the same model and metrics as locally", () => {
    const local = aloft("run", "--json", training, "trainingWorkflow", "--data", data);
    assert.equal(local.code, 0, local.stderr);
    const there = remote("--json", training, "trainingWorkflow", "--data", data);
    assert.equal(there.code, 0, `${there.stderr}\n--- runner\n${runner.output()}`);
    const [l, r] = [JSON.parse(local.stdout), JSON.parse(there.stdout)];
    assert.equal(r.status, "succeeded");
    assert.equal(r.outputs.model.digest, l.outputs.model.digest, "the same model file, byte for byte");
    assert.deepEqual(r.outputs.metrics, l.outputs.metrics);
    assert.notEqual(r.executionId, l.executionId);
  });

  it("streams the tasks' logs as they run, and sends nothing the runner already holds", async () => {
    // A runner of its own, so no task is a cache hit and every one prints.
    const fresh = await startRunner();
    try {
      const first = aloft("run", "--remote", "--runner", fresh.url, "--token", fresh.token, training, "trainingWorkflow", "--data", data);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stderr, /uploaded \d+ blobs/);
      assert.match(first.stdout + first.stderr, /\[prepareBatches\] prepareBatches: \d+ transactions/);
      assert.match(first.stdout + first.stderr, /\[trainIterative\/trainModel-2\] trainModel batch-0001\.csv/);
      assert.match(first.stdout, /metrics: \{"accuracy"/);
      const again = aloft("run", "--remote", "--runner", fresh.url, "--token", fresh.token, training, "trainingWorkflow", "--data", data);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /nothing to upload/);
      assert.match(again.stderr, /prepareBatches cached/);
    } finally {
      await fresh.stop();
    }
  });

  it("refuses to submit a file with errors, naming them", () => {
    const broken = join(repo, "test/fixtures/type-errors/wiring.ts");
    const result = remote(broken, "correct", "--n", "3");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /error/);
  });

  it("says clearly when no runner answers", () => {
    const result = aloft("run", "--remote", "--runner", "http://127.0.0.1:9", "--token", "x", training, "trainingWorkflow", "--data", data);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot reach the aloft runner at http:\/\/127\.0\.0\.1:9/);
  });
});

describe("aloft logs and aloft executions against a runner", () => {
  it("replays and follows an execution's logs, and lists and shows it", async () => {
    const { mkdtempSync: temp } = await import("node:fs");
    const client = temp(join(tmpdir(), "aloft-client-"));
    const runner = await startRunner();
    const aloft = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: repo, env: { ...process.env, ALOFT_WORKSPACE: client, NO_COLOR: "1", ALOFT_RUNNER: runner.url, ALOFT_TOKEN: runner.token }, encoding: "utf8" });
    try {
      const slow = join(repo, "test/fixtures/remote/restart.ts");
      const submitted = aloft("run", "--remote", "--detach", "--json", slow, "slowMiddle", "--x", "1", "--ms", "800");
      assert.equal(submitted.status, 0, submitted.stderr);
      const id = JSON.parse(submitted.stdout).executionId as string;
      // Follows while the execution runs, and returns once it has ended.
      const followed = aloft("logs", id, "--follow", "--remote");
      assert.equal(followed.status, 0, followed.stderr);
      assert.match(followed.stdout, /\[sleepy\] sleepy: waiting 800 ms/);
      const one = aloft("logs", id, "sleepy", "--remote");
      assert.equal(one.stdout.trim(), "sleepy: waiting 800 ms\nsleepy: woke up");
      const listed = aloft("executions", "list", "--remote", "--json");
      assert.equal(JSON.parse(listed.stdout)[0].executionId, id);
      const shown = aloft("executions", "get", id, "--remote", "--json");
      const detail = JSON.parse(shown.stdout);
      assert.equal(detail.status, "succeeded");
      assert.equal(detail.outputs, (1 + 1) * 2 - 3);
      const local = aloft("logs", id, "--follow");
      assert.equal(local.status, 2);
      assert.match(local.stderr, /--follow follows an execution on a runner service/);
    } finally {
      await runner.stop();
    }
  });
});
