// The embedded runner end to end, in process: real bundles, a real SQLite
// file, real warm worker processes.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { LocalRunner, type PreparedFile } from "../runner/local-runner.ts";
import { workspaceAt } from "../runner/workspace.ts";
import type { ExecutionEvent } from "../runner/engine/events.ts";

const flows = join(import.meta.dirname, "fixtures/engine/flows.ts");
const fast = { baseMs: 5, maxMs: 20 };

describe("local runner", () => {
  let dir: string;
  let runner: LocalRunner;
  let prepared: PreparedFile;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "aloft-local-"));
    runner = new LocalRunner(workspaceAt(dir));
    prepared = await runner.prepare(flows);
  });
  after(() => runner.close());

  const counter = (name: string) => join(dir, `${name}-${Math.random().toString(36).slice(2)}`);
  const runs = (path: string) => {
    try {
      return readFileSync(path, "utf8").length;
    } catch {
      return 0;
    }
  };

  it("runs a diamond and records every node", async () => {
    const record = await runner.run(prepared, "diamond", { x: 3 }, { backoff: fast });
    assert.equal(record.status, "succeeded");
    assert.equal(record.outputs, 24);
    const nodes = await runner.store.listNodes(record.id);
    assert.deepEqual(nodes.map((n) => [n.id, n.status]).sort(), [
      ["add", "succeeded"],
      ["double", "succeeded"],
      ["double-2", "succeeded"],
      ["double-3", "succeeded"],
    ]);
    assert.deepEqual((await runner.store.getExecution(record.id))?.outputs, 24);
  });

  it("passes named record outputs field by field", async () => {
    const record = await runner.run(prepared, "namedOutputs", { xs: [1, 2, 3] });
    assert.deepEqual(record.outputs, { doubledTotal: 12, count: 3 });
  });

  it("serves a cache hit without running the task, and misses on changed input", async () => {
    const c = counter("cache");
    const first = await runner.run(prepared, "counted", { x: 1, counter: c });
    assert.equal(first.outputs, 2);
    assert.equal(runs(c), 1);
    const second = await runner.run(prepared, "counted", { x: 1, counter: c });
    assert.equal(second.outputs, 2);
    assert.equal(runs(c), 1, "a cache hit must not run the task");
    assert.equal((await runner.store.listNodes(second.id))[0]?.cached, true);
    await runner.run(prepared, "counted", { x: 2, counter: c });
    assert.equal(runs(c), 2, "a changed input misses");
  });

  it("retries a failing task with backoff until it succeeds", async () => {
    const c = counter("flaky");
    const logs: string[] = [];
    const record = await runner.run(prepared, "flaky", { counter: c, failTimes: 2 }, {
      backoff: fast,
      listener: (e: ExecutionEvent) => {
        if (e.type === "log") logs.push(e.text.trim());
      },
    });
    assert.equal(record.status, "succeeded");
    assert.equal(record.outputs, 3);
    const attempts = await runner.store.listAttempts(record.id, "flaky");
    assert.deepEqual(attempts.map((a) => a.status), ["failed", "failed", "succeeded"]);
    assert.match(attempts[0]!.error!.message, /flaky failure on attempt 1/);
    assert.deepEqual(logs, ["attempt 1", "attempt 2", "attempt 3"]);
  });

  it("fails after the retries run out, keeping each attempt's error", async () => {
    const c = counter("flaky");
    const record = await runner.run(prepared, "flaky", { counter: c, failTimes: 5 }, { backoff: fast });
    assert.equal(record.status, "failed");
    assert.equal(runs(c), 3, "1 attempt + 2 retries");
    assert.equal(record.error?.code, "TASK_FAILED");
    assert.equal(record.error?.node, "flaky");
    assert.match(record.error?.stack ?? "", /flows\.ts:\d+/, "stack points at the .ts source");
  });

  it("times out a slow task, retries it, and fails with TASK_TIMEOUT", async () => {
    const c = counter("slow");
    const record = await runner.run(prepared, "slow", { ms: 5_000, counter: c }, { backoff: fast });
    assert.equal(record.status, "failed");
    assert.equal(record.error?.code, "TASK_TIMEOUT");
    assert.equal(runs(c), 2);
    const ok = await runner.run(prepared, "slow", { ms: 10, counter: c }, { backoff: fast });
    assert.equal(ok.status, "succeeded", "the pool keeps serving after killing a worker");
  });

  it("maps with partial failure under minSuccessRatio, failed items as null", async () => {
    const record = await runner.run(prepared, "lenientRoots", { xs: [4, -1, 9, 16] }, { backoff: fast });
    assert.equal(record.status, "succeeded");
    assert.deepEqual(record.outputs, [2, null, 3, 4]);
    const items = (await runner.store.listNodes(record.id)).filter((n) => n.kind === "item");
    assert.equal(items.length, 4);
    assert.equal(items.find((i) => i.id.endsWith("[1]"))?.status, "failed");
  });

  it("fails a map whose failures exceed minSuccessRatio", async () => {
    const lenient = await runner.run(prepared, "lenientRoots", { xs: [-4, -1, -9, 16] }, { backoff: fast });
    assert.equal(lenient.status, "failed");
    assert.equal(lenient.error?.code, "MAP_TOO_MANY_FAILURES");
    const strict = await runner.run(prepared, "strictRoots", { xs: [1, 4, -1] }, { backoff: fast });
    assert.equal(strict.status, "failed");
    assert.match(strict.error?.message ?? "", /negative input -1/);
  });

  it("runs a dynamic's graph, built from real inputs, as a sub-workflow", async () => {
    const record = await runner.run(prepared, "doubledSum", { n: 4 });
    assert.equal(record.status, "succeeded");
    assert.equal(record.outputs, 20);
    const ids = (await runner.store.listNodes(record.id)).map((n) => n.id);
    assert.ok(ids.includes("sumUpTo/add-4"), ids.join(","));
    assert.equal((await runner.store.getNode(record.id, "sumUpTo"))?.graph?.nodes.length, 4);
  });

  it("runs a workflow called from a workflow as a sub-graph of its node", async () => {
    const record = await runner.run(prepared, "nested", { x: 3 });
    assert.equal(record.status, "succeeded");
    assert.equal(record.outputs, 24 + 8);
    const ids = (await runner.store.listNodes(record.id)).map((n) => n.id);
    assert.ok(ids.includes("diamond/add") && ids.includes("diamond-2/double-3"), ids.join(","));
  });

  it("passes files between tasks through the blob store", async () => {
    const record = await runner.run(prepared, "report", { title: "q3" });
    assert.equal(record.status, "succeeded");
    assert.equal(record.outputs, "# q3");
  });

  it("fails a task whose worker exits, after its system retries, and keeps serving", async () => {
    const record = await runner.run(prepared, "crash", {}, { backoff: fast });
    assert.equal(record.status, "failed");
    assert.equal(record.error?.code, "WORKER_CRASHED");
    assert.match(record.error?.message ?? "", /7/);
    assert.equal((await runner.store.listAttempts(record.id, "crash")).length, 4);
  });

  it("names the field when a task returns something that is not data", async () => {
    const record = await runner.run(prepared, "notData", {});
    assert.equal(record.status, "failed");
    assert.equal(record.error?.code, "DATA_INVALID");
    assert.match(record.error?.message ?? "", /output\.when/);
  });

  it("keeps each attempt's output in its log file", async () => {
    const c = counter("flaky");
    const record = await runner.run(prepared, "flaky", { counter: c, failTimes: 1 }, { backoff: fast });
    const attempts = await runner.store.listAttempts(record.id, "flaky");
    assert.match(readFileSync(attempts[1]!.logPath, "utf8"), /attempt 2/);
  });

  it("refuses an entity the bundle does not export, listing those it does", async () => {
    await assert.rejects(runner.run(prepared, "nope", {}), /no exported entity "nope".*diamond/s);
  });

  it("records the execution before it runs, for watchers", async () => {
    let seen: string | undefined;
    const record = await runner.run(prepared, "double", { x: 1 }, { onCreated: (id) => (seen = id) });
    assert.equal(seen, record.id);
  });
});
