// The engine over each state store: real bundles, real warm workers, a real
// SQLite file and a real PostgreSQL schema. What a run records must not
// depend on which store holds it, nor on how its writes interleave.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { LocalRunner, type PreparedFile } from "../local-runner.ts";
import { openPostgresStore } from "../store/postgres-store.ts";
import { TestSchemas } from "../store/postgres-test-support.ts";
import { openSqliteStore } from "../store/sqlite-store.ts";
import type { AttemptFence, ExecutionRecord, StateStore } from "../store/state-store.ts";
import { LeaseLostError } from "../store/store-errors.ts";
import type { EntityDescription } from "../worker/protocol.ts";
import { WorkerPool, workerEntry } from "../worker/worker-pool.ts";
import { workspaceAt } from "../workspace.ts";
import type { ExecutionEvent } from "./events.ts";
import type { EngineContext, Execution } from "./execution.ts";
import type { TaskExecutor } from "./executor.ts";
import { createExecution, describeBundle, loadExecution } from "./launch.ts";
import { LogSink } from "./log-sink.ts";

const flows = join(import.meta.dirname, "../../test/fixtures/engine/flows.ts");
const schemas = new TestSchemas();
let dir: string;
let prepared: PreparedFile;
let pool: WorkerPool;
let entities: Map<string, EntityDescription>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "aloft-engine-stores-"));
  const runner = new LocalRunner(workspaceAt(dir));
  prepared = await runner.prepare(flows);
  await runner.close();
  pool = await startPool(2);
  entities = await describeBundle(pool);
});

async function startPool(size: number): Promise<WorkerPool> {
  const { entry, execArgv } = workerEntry();
  const started = new WorkerPool({ bundlePath: prepared.bundle.path, blobRoot: join(dir, "blobs"), size, entry, execArgv });
  await started.start();
  return started;
}

/** A pool of its own for a run whose task is left running (the pool ignores aborts): closing it ends the task. */
async function withOwnPool(body: (executor: WorkerPool) => Promise<void>): Promise<void> {
  const own = await startPool(1);
  try {
    await body(own);
  } finally {
    await own.close();
  }
}

after(async () => {
  await pool.close();
  await schemas.dropAll();
  rmSync(dir, { recursive: true, force: true });
});

let opened = 0;
const stores: Array<[string, () => Promise<StateStore>]> = [
  ["SQLite", async () => openSqliteStore(join(dir, `state-${++opened}.db`))],
  ["PostgreSQL", () => openPostgresStore(schemas.url())],
];

interface Started {
  execution: Execution;
  events: ExecutionEvent[];
}

function context(store: StateStore, events: ExecutionEvent[], options: { fence?: AttemptFence; executor?: TaskExecutor } = {}): EngineContext {
  return {
    store,
    executor: options.executor ?? pool,
    logs: new LogSink(join(dir, "logs")),
    backoff: { baseMs: 5, maxMs: 20 },
    listener: (e: ExecutionEvent) => events.push(e),
    ...(options.fence ? { fence: options.fence } : {}),
  };
}

async function start(store: StateStore, entity: string, inputs: ExecutionRecord["inputs"], options: { fence?: AttemptFence; executor?: TaskExecutor } = {}): Promise<Started> {
  const events: ExecutionEvent[] = [];
  const execution = await createExecution(context(store, events, options), entities, {
    file: prepared.file,
    entity,
    bundleHash: prepared.bundle.hash,
    bundlePath: prepared.bundle.path,
    interfaces: prepared.interfaces,
    inputs,
    project: "engine-tests",
  });
  return { execution, events };
}

/** Resolves once a task node of the run is recorded running (its attempt open). */
function firstTaskRunning(events: ExecutionEvent[]): Promise<string> {
  return new Promise((resolve) => {
    const look = () => {
      const running = events.find((e) => e.type === "node" && e.node.kind === "task" && e.node.status === "running");
      if (running?.type === "node") resolve(running.node.id);
      else setTimeout(look, 5);
    };
    look();
  });
}

for (const [name, open] of stores) {
  describe(`the engine over ${name}`, () => {
    it("runs sub-workflows, dynamics, maps and the cache, recording every node", async () => {
      const store = await open();
      try {
        const { execution } = await start(store, "doubledSum", { n: 3 });
        const record = await execution.run();
        assert.equal(record.status, "succeeded", JSON.stringify(record.error));
        assert.equal(record.outputs, 12);
        assert.equal(record.project, "engine-tests");
        assert.deepEqual(await store.getExecution(record.id), record);
        const nodes = await store.listNodes(record.id);
        assert.ok(nodes.length > 3 && nodes.every((n) => n.status === "succeeded"), JSON.stringify(nodes.map((n) => [n.id, n.status])));
        assert.ok((await store.listAttempts(record.id)).every((a) => a.status === "succeeded"));

        const lenient = await (await start(store, "lenientRoots", { xs: [4, -1, 9, 16] })).execution.run();
        assert.equal(lenient.status, "succeeded");
        assert.deepEqual(lenient.outputs, [2, null, 3, 4]);

        const counter = join(dir, `counter-${name}`);
        const first = await (await start(store, "countedTwice", { x: 5, counter })).execution.run();
        const second = await (await start(store, "countedTwice", { x: 5, counter })).execution.run();
        assert.deepEqual([first.status, second.status], ["succeeded", "succeeded"]);
        assert.deepEqual(second.outputs, first.outputs);
        assert.ok((await store.listNodes(second.id)).every((n) => n.cached), "the second run is served from the cache");
        assert.equal(readFileSync(counter, "utf8").length, 2, "each of the two calls ran once, in the first run");
      } finally {
        await store.close();
      }
    });

    it("records a failure with the failed node, skipping what never ran", async () => {
      const store = await open();
      try {
        const record = await (await start(store, "strictRoots", { xs: [4, -1, 9, -3, 16] })).execution.run();
        assert.equal(record.status, "failed");
        assert.equal(record.error?.code, "MAP_TOO_MANY_FAILURES");
        const nodes = await store.listNodes(record.id);
        assert.ok(nodes.every((n) => n.status !== "pending" && n.status !== "running"), JSON.stringify(nodes.map((n) => [n.id, n.status])));
        assert.ok((await store.listAttempts(record.id)).every((a) => a.status !== "running"));
      } finally {
        await store.close();
      }
    });

    it("cancels a run: attempts under way closed as cancelled, the rest skipped", async () => {
      const store = await open();
      try {
        await withOwnPool(async (executor) => {
          const { execution, events } = await start(store, "chain", { marker: join(dir, `marker-${name}`), ms: 60_000 }, { executor });
          const done = execution.run();
          const running = await firstTaskRunning(events);
          const record = await execution.cancel("stopped by the test");
          assert.equal(record.status, "cancelled");
          assert.deepEqual(await done, record);
          assert.equal(record.error?.code, "CANCELLED");
          assert.deepEqual(await store.getExecution(record.id), record);
          const attempts = await store.listAttempts(record.id);
          assert.deepEqual(attempts.map((a) => [a.nodeId, a.status, a.error?.message]), [[running, "failed", "stopped by the test"]]);
          const nodes = await store.listNodes(record.id);
          assert.ok(nodes.every((n) => n.status === "skipped" || n.status === "succeeded"), JSON.stringify(nodes.map((n) => [n.id, n.status])));
          assert.equal(events.at(-1)?.type, "execution");
        });
      } finally {
        await store.close();
      }
    });

    it("stops with LeaseLostError when another replica holds the execution, and resumes once leased", async () => {
      const store = await open();
      try {
        const { execution } = await start(store, "diamond", { x: 5 }, { fence: { replicaId: "r1" } });
        assert.equal(await store.claimExecution(execution.id, "r2", 60_000), true);
        await assert.rejects(execution.run(), (error) => error instanceof LeaseLostError && /replica r1/.test(error.message));
        const stranded = (await store.getExecution(execution.id))!;
        assert.equal(stranded.status, "running", "nothing was ended: the holder (or a later one) resumes it");
        assert.deepEqual(await store.listAttempts(execution.id), []);

        await store.claimExecution(execution.id, "r2", -1);
        assert.equal(await store.claimExecution(execution.id, "r1", 60_000), true);
        const events: ExecutionEvent[] = [];
        const resumed = await loadExecution(context(store, events, { fence: { replicaId: "r1" } }), entities, stranded);
        const record = await resumed.run();
        assert.equal(record.status, "succeeded");
        assert.equal(record.outputs, 40);
      } finally {
        await store.close();
      }
    });

    it("abandons a run without writing, and the next driver closes what it left open", async () => {
      const store = await open();
      try {
        const marker = join(dir, `abandon-${name}`);
        let running = "";
        let stored: ExecutionRecord | undefined;
        await withOwnPool(async (executor) => {
          const { execution, events } = await start(store, "chain", { marker, ms: 60_000 }, { executor });
          const done = execution.run();
          running = await firstTaskRunning(events);
          const left = await execution.abandon();
          assert.deepEqual(await done, left);
          assert.equal(left.status, "running");
          stored = await store.getExecution(execution.id);
          assert.equal(stored?.status, "running");
          assert.deepEqual((await store.listAttempts(execution.id)).map((a) => [a.nodeId, a.status]), [[running, "running"]], "the open attempt stays for the next driver");
        });
        await withOwnPool(async (executor) => {
          const events: ExecutionEvent[] = [];
          const resumed = await loadExecution(context(store, events, { executor }), entities, stored!);
          const done = resumed.run();
          assert.equal(await firstTaskRunning(events), running, "the interrupted node runs again");
          const record = await resumed.cancel("enough");
          assert.deepEqual(await done, record);
          const attempts = await store.listAttempts(stored!.id, running);
          assert.deepEqual(attempts.map((a) => [a.attempt, a.status, a.error?.code]), [[1, "failed", "RUNNER_INTERRUPTED"], [2, "failed", "CANCELLED"]]);
        });
      } finally {
        await store.close();
      }
    });
  });
}
