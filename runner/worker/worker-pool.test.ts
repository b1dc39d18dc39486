// The pool and its workers as real processes, on a real bundle of test/fixtures/worker.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { bundleFixture } from "../../test/fixtures/worker/bundle-fixture.ts";
import type { ErrorInfo } from "../../compiler/errors.ts";
import type { JobResult } from "./protocol.ts";
import { formatTimeout, WorkerPool } from "./worker-pool.ts";

const dir = mkdtempSync(join(tmpdir(), "aloft-pool-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const blobRoot = join(dir, "blobs");
let attempts = 0;
const attempt = () => ({ executionId: "exec1", nodeId: "node", attempt: ++attempts });

function failure(result: JobResult): ErrorInfo {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return (result as { error: ErrorInfo }).error;
}

function output(result: JobResult): unknown {
  assert.ok(result.ok && "output" in result, `expected an output, got ${JSON.stringify(result)}`);
  return result.output;
}

describe("worker pool", () => {
  let bundle: string;
  let pool: WorkerPool;
  const run = (entity: string, inputs: Record<string, never | number | string> = {}, options = {}) =>
    pool.run({ type: "run", entity, inputs, attempt: attempt() }, options);

  before(async () => {
    bundle = await bundleFixture("tasks", dir);
    pool = new WorkerPool({ bundlePath: bundle, blobRoot, size: 2 });
    await pool.start();
  });
  after(() => pool.close());

  it("describes the exported entities with JSON-safe options", async () => {
    const result = await pool.run({ type: "describe" });
    assert.ok(result.ok && "entities" in result);
    const greet = result.entities.find((e) => e.name === "greet");
    assert.deepEqual(greet, { name: "greet", kind: "task", options: { retries: 2, timeout: "5s", cache: { version: "1" } } });
    assert.equal(result.entities.find((e) => e.name === "loops")?.kind, "dynamic");
  });

  it("runs a task and captures its output per job", async () => {
    const logs = { ann: [] as string[], bob: [] as string[] };
    const [ann, bob] = await Promise.all(
      (["ann", "bob"] as const).map((name) => run("greet", { name }, { onLog: (stream: string, text: string) => logs[name].push(`${stream}: ${text}`) })),
    );
    assert.deepEqual(output(ann!), { greeting: "hi ann", at: { $date: "1970-01-01T00:00:00.000Z" } });
    assert.deepEqual(output(bob!), { greeting: "hi bob", at: { $date: "1970-01-01T00:00:00.000Z" } });
    assert.deepEqual(logs.ann, ["stdout: hello ann\n", "stderr: to stderr\n", "stdout: raw write\n"]);
    assert.deepEqual(logs.bob, ["stdout: hello bob\n", "stderr: to stderr\n", "stdout: raw write\n"]);
  });

  it("attributes a child process's output to the job", async () => {
    const lines: string[] = [];
    assert.equal(output(await run("fromChild", {}, { onLog: (_: string, text: string) => lines.push(text) })), true);
    assert.match(lines.join(""), /from a child process/);
  });

  it("reports a thrown error with a stack pointing at the .ts source", async () => {
    const error = failure(await run("fails", { reason: "disk full" }));
    assert.equal(error.code, "TASK_FAILED");
    assert.equal(error.kind, "user");
    assert.equal(error.entity, "fails");
    assert.match(error.message, /it broke: disk full/);
    assert.match(error.stack ?? "", /test[\\/]fixtures[\\/]worker[\\/]tasks\.ts:\d+:\d+/);
  });

  it("rejects an output that is not data, naming the field", async () => {
    const error = failure(await run("notData"));
    assert.equal(error.code, "DATA_INVALID");
    assert.equal(error.field, "output.callback");
    assert.match(error.message, /^output\.callback of task "notData" is a function/);
  });

  it("gives an attempt scratch space and removes it afterwards", async () => {
    const path = output(await run("scratch")) as string;
    assert.ok(path.startsWith(join(dir, "scratch", "exec1", "node")), path);
    assert.ok(path.endsWith(join("out", "result.txt")));
    assert.equal(existsSync(path), false);
  });

  it("uploads a File output written to scratch, and hands it to the next task", async () => {
    const file = output(await run("writesFile", { text: "hello" })) as { $file: { name: string; size: number } };
    assert.equal(file.$file.name, "note.txt");
    assert.equal(file.$file.size, 5);
    assert.equal(output(await run("readsFile", { note: file as never })), "HELLO");
  });

  it("fails an unknown entity with ENTITY_NOT_FOUND", async () => {
    assert.equal(failure(await run("nope")).code, "ENTITY_NOT_FOUND");
  });

  it("traces a workflow and expands a dynamic over its real input", async () => {
    const traced = await pool.run({ type: "trace", entity: "pipeline" });
    assert.ok(traced.ok && "graph" in traced);
    assert.deepEqual(traced.graph.nodes.map((n) => n.id), ["trivial", "trivial-2"]);
    const expanded = await pool.run({ type: "expand", entity: "loops", inputs: { n: 4 }, attempt: attempt() });
    assert.ok(expanded.ok && "graph" in expanded);
    assert.deepEqual(expanded.graph.nodes.map((n) => n.id), ["trivial", "trivial-2", "trivial-3", "trivial-4"]);
    assert.deepEqual(expanded.graph.output, { ref: { node: "trivial-4" } });
  });

  it("queues more jobs than workers and answers each one", async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, x) => run("trivial", { x })));
    assert.deepEqual(results.map(output), Array.from({ length: 200 }, (_, x) => x + 1));
  });

  it("reports a worker that exits mid-job and keeps serving", async () => {
    const error = failure(await run("exits", { code: 3 }));
    assert.equal(error.code, "WORKER_CRASHED");
    assert.equal(error.kind, "system");
    assert.match(error.message, /exited with code 3/);
    assert.match(error.message, /about to exit/);
    const results = await Promise.all([1, 2, 3].map((x) => run("trivial", { x })));
    assert.deepEqual(results.map(output), [2, 3, 4]);
  });

  it("kills a job past its timeout and keeps serving", async () => {
    const error = failure(await run("sleeps", { ms: 60_000 }, { timeoutMs: 1000 }));
    assert.equal(error.code, "TASK_TIMEOUT");
    assert.equal(error.kind, "timeout");
    assert.match(error.message, /task "sleeps" ran longer than its timeout of 1s/);
    assert.equal(output(await run("sleeps", { ms: 1 }, { timeoutMs: 10_000 })), 1);
  });
});

describe("worker pool limits", () => {
  it("reports a worker that runs out of heap", async () => {
    const pool = new WorkerPool({ bundlePath: await bundleFixture("tasks", dir), blobRoot, size: 1, maxOldSpaceMb: 32 });
    try {
      const error = failure(await pool.run({ type: "run", entity: "hogsMemory", inputs: {}, attempt: attempt() }));
      assert.equal(error.code, "WORKER_OUT_OF_MEMORY");
      assert.equal(error.kind, "system");
      assert.match(error.message, /heap limit of 32 MB/);
      assert.equal(output(await pool.run({ type: "run", entity: "trivial", inputs: { x: 1 }, attempt: attempt() })), 2);
    } finally {
      await pool.close();
    }
  });

  it("fails start and queued jobs when the bundle throws on load", async () => {
    const pool = new WorkerPool({ bundlePath: await bundleFixture("broken", dir), blobRoot, size: 2 });
    try {
      const queued = pool.run({ type: "describe" });
      await assert.rejects(pool.start(), (error: { info: ErrorInfo }) => {
        assert.equal(error.info.code, "BUNDLE_LOAD_FAILED");
        assert.match(error.info.message, /config missing at load time/);
        assert.match(error.info.stack ?? "", /broken\.ts:\d+:\d+/);
        return true;
      });
      assert.equal(failure(await queued).code, "BUNDLE_LOAD_FAILED");
      assert.equal(failure(await pool.run({ type: "describe" })).code, "BUNDLE_LOAD_FAILED");
    } finally {
      await pool.close();
    }
  });

  it("stops restarting workers that keep dying before they are ready", async () => {
    const pool = new WorkerPool({ bundlePath: join(dir, "none.mjs"), blobRoot, size: 1, entry: join(dir, "no-such-worker.js") });
    try {
      await assert.rejects(pool.start(), /3 workers in a row exited before loading[\s\S]*Cannot find module/);
      assert.equal(failure(await pool.run({ type: "describe" })).code, "BUNDLE_LOAD_FAILED");
    } finally {
      await pool.close();
    }
  });

  it("formats timeouts the way users write them", () => {
    assert.deepEqual([250, 2000, 1500, 90_000, 120_000, 3_600_000].map(formatTimeout), ["250ms", "2s", "1.5s", "90s", "2m", "1h"]);
  });
});
