import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { openStore } from "./open-store.ts";
import { openSqliteStore } from "./sqlite-store.ts";
import { describeStateStoreContract } from "./state-store-contract.ts";
import { SCHEMA_VERSION } from "./sqlite-schema.ts";
import { assertStoreError, attempt, execution, node } from "./store-test-support.ts";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "aloft-sqlite-store-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

let opened = 0;
describeStateStoreContract("SqliteStore", async () => openSqliteStore(join(dir, `case-${++opened}`, "nested", "state.db")));

/** A thread that opens a store (fixtures/open-fresh.ts): the test runner's TypeScript loader is registered in it first. */
const OPEN_FRESH = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(new URL("./fixtures/open-fresh.ts", import.meta.url).href)}); });`;

describe("SqliteStore", () => {
  it("is created once when several processes open a new workspace at the same moment", async () => {
    for (let round = 0; round < 5; round++) {
      const path = join(dir, `fresh-${round}`, "state.db");
      const go = new Int32Array(new SharedArrayBuffer(4));
      const workers = Array.from({ length: 6 }, () => new Worker(OPEN_FRESH, { eval: true, workerData: { path, go } }));
      const next = (worker: Worker) => new Promise<string>((resolve, reject) => worker.once("message", resolve).once("error", reject));
      // Every worker about to wait on the signal before it is given.
      assert.deepEqual(await Promise.all(workers.map(next)), workers.map(() => "ready"));
      const outcomes = workers.map(next);
      Atomics.store(go, 0, 1);
      Atomics.notify(go, 0);
      assert.deepEqual(await Promise.all(outcomes), workers.map(() => "opened"), `round ${round}`);
      await Promise.all(workers.map((worker) => worker.terminate()));
      const db = new Database(path, { readonly: true });
      assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
      db.close();
    }
  });

  it("keeps everything across close and reopen, and close is idempotent", async () => {
    const path = join(dir, "reopen", "state.db");
    const first = openSqliteStore(path);
    await first.createExecution(execution("e1"), [node("e1", "a")]);
    await first.close();
    await first.close();
    const second = openSqliteStore(path);
    assert.deepEqual(await second.getExecution("e1"), execution("e1"));
    assert.deepEqual(await second.listNodes("e1"), [node("e1", "a")]);
    await second.close();
  });

  it("opens an in-memory store", async () => {
    const store = openSqliteStore(":memory:");
    await store.createExecution(execution("e1"));
    assert.equal((await store.listExecutions()).length, 1);
    await store.close();
  });

  it("is what openStore opens for sqlite:PATH and for a bare path", async () => {
    const path = join(dir, "opened", "state.db");
    const byUrl = await openStore(`sqlite:${path}`);
    assert.equal(byUrl.location, path);
    await byUrl.createExecution(execution("e1"));
    await byUrl.close();
    const byPath = await openStore(path);
    assert.equal((await byPath.getExecution("e1"))?.id, "e1");
    await byPath.close();
    await assertStoreError(() => openStore("mysql://db/aloft"), "STORE_BAD_URL", "mysql://db/aloft", "sqlite:PATH");
    await assertStoreError(() => openStore("sqlite:"), "STORE_BAD_URL", "sqlite:PATH");
  });

  it("moves a database of schema version 2 to the current one, keeping its executions in project default", async () => {
    const path = join(dir, "v2", "state.db");
    const store = openSqliteStore(path);
    await store.close();
    // Rebuild the file as schema version 2 wrote it: without the columns and tables version 3 added.
    const raw = new Database(path);
    raw.exec(`
      DROP TABLE attempt_reports; DROP TABLE secrets;
      DROP INDEX executions_by_project; DROP INDEX executions_by_status; DROP INDEX executions_by_lease_owner; DROP INDEX executions_by_domain;
      ALTER TABLE executions DROP COLUMN domain;
      ALTER TABLE executions DROP COLUMN project; ALTER TABLE executions DROP COLUMN descriptor; ALTER TABLE executions DROP COLUMN source_map;
      ALTER TABLE executions DROP COLUMN cancel_requested_at; ALTER TABLE executions DROP COLUMN lease_owner;
      ALTER TABLE executions DROP COLUMN lease_expires_at; ALTER TABLE executions DROP COLUMN lease_epoch;
      INSERT INTO executions (id, file, entity, kind, bundle_hash, bundle_path, interfaces, status, inputs, created_at)
        VALUES ('old', '/f.ts', 'flow', 'workflow', 'h', '/b.mjs', '{}', 'running', '{}', 5);
    `);
    raw.pragma("user_version = 2");
    raw.close();
    const migrated = openSqliteStore(path);
    assert.equal((await migrated.getExecution("old"))?.project, "default");
    assert.equal((await migrated.getExecution("old"))?.domain, "development");
    assert.equal(await migrated.claimExecution("old", "r1", 1000), true);
    await migrated.close();
  });

  it("moves a database of schema version 3 (before domains) to the current one, losing nothing, its executions in development", async () => {
    const path = join(dir, "v3", "state.db");
    const store = openSqliteStore(path);
    const before = execution("old", { project: "fraud", status: "succeeded", outputs: { auc: 0.9 }, endedAt: 2_000 });
    await store.createExecution(before, [node("old", "train")]);
    await store.startAttempt(attempt("old", "train", 1));
    await store.finishAttempt({ executionId: "old", nodeId: "train", attempt: 1 }, { status: "succeeded", endedAt: 1_500 });
    const token = { id: "t1", hash: "ab".repeat(32), scope: { kind: "project" as const, project: "fraud" }, description: "fraud team", createdAt: 1 };
    await store.insertToken(token);
    const [nodes, attempts] = [await store.listNodes("old"), await store.listAttempts("old")];
    await store.close();
    // Rebuild the file as schema version 3 wrote it: without the domain column and its index.
    const raw = new Database(path);
    raw.exec("DROP INDEX executions_by_domain; ALTER TABLE executions DROP COLUMN domain;");
    raw.pragma("user_version = 3");
    raw.close();

    const migrated = openSqliteStore(path);
    assert.deepEqual(await migrated.getExecution("old"), { ...before, domain: "development" });
    assert.deepEqual(await migrated.listNodes("old"), nodes);
    assert.deepEqual(await migrated.listAttempts("old"), attempts);
    assert.deepEqual(await migrated.listTokens(), [token]);
    assert.deepEqual((await migrated.listExecutions({ project: "fraud", domain: "development" })).map((e) => e.id), ["old"]);
    await migrated.createExecution(execution("new", { domain: "production" }));
    assert.deepEqual((await migrated.listExecutions({ domain: "production" })).map((e) => e.id), ["new"]);
    await migrated.close();
    const raw2 = new Database(path, { readonly: true });
    assert.equal(raw2.pragma("user_version", { simple: true }), SCHEMA_VERSION);
    raw2.close();
  });
});
