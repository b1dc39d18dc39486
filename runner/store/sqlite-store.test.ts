import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore, type SqliteStore } from "./sqlite-store.ts";
import type { AttemptRecord, ExecutionRecord, NodeRecord } from "./state-store.ts";
import { assertStoreError, execution, node } from "./store-test-support.ts";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "aloft-sqlite-store-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

let opened = 0;
function freshStore(): SqliteStore {
  return openSqliteStore(join(dir, `case-${++opened}`, "nested", "state.db"));
}

describe("SqliteStore", () => {
  it("round-trips an execution, with and without its optional fields", () => {
    const store = freshStore();
    const bare = execution("e1");
    const full = execution("e2", {
      status: "failed",
      outputs: null,
      error: { code: "TASK_FAILED", kind: "user", message: "boom", node: "train", stack: "at x" },
      endedAt: 2_000,
    });
    store.createExecution(bare);
    store.createExecution(full);
    assert.deepEqual(store.getExecution("e1"), bare);
    assert.deepEqual(store.getExecution("e2"), full);
    assert.equal(store.getExecution("nope"), undefined);
    store.close();
  });

  it("updates only the execution fields in the patch", () => {
    const store = freshStore();
    store.createExecution(execution("e1"));
    store.updateExecution("e1", { status: "succeeded", outputs: { $file: { digest: "sha256:1", name: "m.bin", size: 3 } } });
    store.updateExecution("e1", { endedAt: 5_000 });
    assert.deepEqual(store.getExecution("e1"), {
      ...execution("e1"),
      status: "succeeded",
      outputs: { $file: { digest: "sha256:1", name: "m.bin", size: 3 } },
      endedAt: 5_000,
    });
    assertStoreError(() => store.updateExecution("nope", { status: "failed" }), "STORE_NOT_FOUND", "execution nope is not in the state database");
    store.close();
  });

  it("lists executions newest first, with a limit and a status filter", () => {
    const store = freshStore();
    store.createExecution(execution("old", { createdAt: 1, status: "succeeded" }));
    store.createExecution(execution("new", { createdAt: 3, status: "failed" }));
    store.createExecution(execution("mid", { createdAt: 2, status: "succeeded" }));
    store.createExecution(execution("mid-later", { createdAt: 2, status: "running" }));
    const ids = (list: ExecutionRecord[]) => list.map((e) => e.id);
    assert.deepEqual(ids(store.listExecutions()), ["new", "mid-later", "mid", "old"]);
    assert.deepEqual(ids(store.listExecutions({ limit: 2 })), ["new", "mid-later"]);
    assert.deepEqual(ids(store.listExecutions({ status: "succeeded" })), ["mid", "old"]);
    assert.deepEqual(ids(store.listExecutions({ status: "succeeded", limit: 1 })), ["mid"]);
    assert.deepEqual(ids(store.listExecutions({ status: "cancelled" })), []);
    assert.deepEqual(store.listExecutions({ limit: 1 })[0], execution("new", { createdAt: 3, status: "failed" }));
    store.close();
  });

  it("round-trips nodes and lists them in insertion order", () => {
    const store = freshStore();
    store.createExecution(execution("e1"));
    store.createExecution(execution("e2"));
    const full = node("e1", "train", {
      kind: "workflow",
      status: "succeeded",
      inputs: { rows: [1, 2], file: { $file: { digest: "sha256:2", name: "a.csv", size: 9 } } },
      outputs: null,
      error: { code: "X", kind: "system", message: "m" },
      graph: { nodes: [], outputs: {} } as unknown as NodeRecord["graph"],
      cacheKey: "k1",
      cached: true,
      attempts: 2,
      startedAt: 10,
      endedAt: 20,
    });
    const inserted = [node("e1", "zeta"), full, node("e1", "train/alpha", { parentId: "train", kind: "item" }), node("e1", "squares[41]")];
    store.insertNodes(inserted);
    store.insertNodes([node("e2", "zeta")]);
    store.insertNodes([node("e1", "after")]);
    store.insertNodes([]);
    assert.deepEqual(store.getNode("e1", "train"), full);
    assert.deepEqual(store.getNode("e1", "zeta"), node("e1", "zeta"));
    assert.equal(store.getNode("e1", "nope"), undefined);
    assert.deepEqual(store.listNodes("e1"), [...inserted, node("e1", "after")]);
    assert.deepEqual(store.listNodes("e2"), [node("e2", "zeta")]);
    assert.deepEqual(store.listNodes("nope"), []);
    store.close();
  });

  it("updates only the node fields in the patch", () => {
    const store = freshStore();
    store.createExecution(execution("e1"));
    store.insertNodes([node("e1", "a", { inputs: { x: 1 }, cacheKey: "k" }), node("e1", "b")]);
    store.updateNode("e1", "a", { status: "running", attempts: 1, startedAt: 7 });
    store.updateNode("e1", "a", { outputs: { y: [true] }, endedAt: 9, error: undefined });
    store.updateNode("e1", "a", {});
    assert.deepEqual(store.getNode("e1", "a"), node("e1", "a", {
      inputs: { x: 1 },
      cacheKey: "k",
      status: "running",
      attempts: 1,
      startedAt: 7,
      outputs: { y: [true] },
      endedAt: 9,
    }));
    store.updateNode("e1", "a", { status: "succeeded", cached: true, graph: { g: 1 } as unknown as NodeRecord["graph"], error: { code: "C", kind: "timeout", message: "slow" } });
    const a = store.getNode("e1", "a")!;
    assert.equal(a.status, "succeeded");
    assert.equal(a.cached, true);
    assert.deepEqual(a.graph, { g: 1 });
    assert.deepEqual(a.error, { code: "C", kind: "timeout", message: "slow" });
    assert.deepEqual(a.inputs, { x: 1 });
    assert.deepEqual(store.getNode("e1", "b"), node("e1", "b"));
    store.updateNode("e1", "a", { cached: false });
    assert.equal(store.getNode("e1", "a")!.cached, false);
    assertStoreError(() => store.updateNode("e1", "ghost", { status: "failed" }), "STORE_NOT_FOUND", "node ghost of execution e1");
    store.close();
  });

  it("refuses nodes of an unknown execution and repeated node ids", () => {
    const store = freshStore();
    assertStoreError(() => store.insertNodes([node("ghost", "a")]), "STORE_CONSTRAINT", "execution ghost", "FOREIGN KEY");
    store.createExecution(execution("e1"));
    store.insertNodes([node("e1", "a")]);
    assertStoreError(() => store.insertNodes([node("e1", "b"), node("e1", "a")]), "STORE_CONSTRAINT", "UNIQUE constraint failed");
    assert.deepEqual(store.listNodes("e1").map((n) => n.id), ["a"], "the failed batch left nothing behind");
    assertStoreError(() => store.createExecution(execution("e1")), "STORE_CONSTRAINT", "execution e1");
    store.close();
  });

  it("records attempts and finishes them, listing per execution and per node", () => {
    const store = freshStore();
    store.createExecution(execution("e1"));
    store.insertNodes([node("e1", "a"), node("e1", "b")]);
    const attempt = (nodeId: string, n: number, extra: Partial<AttemptRecord> = {}): AttemptRecord => ({
      executionId: "e1", nodeId, attempt: n, status: "running", logPath: `/logs/${nodeId}-${n}.log`, startedAt: 100 + n, ...extra,
    });
    store.startAttempt(attempt("b", 1, { workerPid: 4242 }));
    store.startAttempt(attempt("a", 1));
    store.finishAttempt("e1", "b", 1, { status: "failed", endedAt: 150, error: { code: "OOM", kind: "system", message: "worker died" } });
    store.startAttempt(attempt("b", 2));
    store.finishAttempt("e1", "b", 2, { status: "succeeded", endedAt: 160 });
    assert.deepEqual(store.listAttempts("e1"), [
      attempt("b", 1, { workerPid: 4242, status: "failed", endedAt: 150, error: { code: "OOM", kind: "system", message: "worker died" } }),
      attempt("a", 1),
      attempt("b", 2, { status: "succeeded", endedAt: 160 }),
    ]);
    assert.deepEqual(store.listAttempts("e1", "b").map((a) => [a.attempt, a.status]), [[1, "failed"], [2, "succeeded"]]);
    assert.deepEqual(store.listAttempts("e1", "nope"), []);
    assertStoreError(() => store.startAttempt(attempt("ghost", 1)), "STORE_CONSTRAINT", "node ghost");
    assertStoreError(() => store.finishAttempt("e1", "a", 9, { status: "failed" }), "STORE_NOT_FOUND", "attempt 9 of node a");
    store.close();
  });

  it("gets and puts cache entries, a later put replacing an earlier one", () => {
    const store = freshStore();
    assert.equal(store.getCached("k"), undefined);
    const entry = { key: "k", entity: "train", outputs: { model: { $file: { digest: "sha256:9", name: "m", size: 1 } } }, executionId: "e1", nodeId: "train", createdAt: 5 };
    store.putCached(entry);
    assert.deepEqual(store.getCached("k"), entry);
    store.putCached({ ...entry, outputs: null, executionId: "e2" });
    assert.deepEqual(store.getCached("k"), { ...entry, outputs: null, executionId: "e2" });
    store.close();
  });

  it("rolls back every write of a transaction that throws, and rethrows the error", () => {
    const store = freshStore();
    store.createExecution(execution("e1"));
    const failure = new Error("scheduler bug");
    assert.throws(() => store.transaction(() => {
      store.createExecution(execution("e2"));
      store.insertNodes([node("e1", "a")]);
      store.updateExecution("e1", { status: "failed" });
      throw failure;
    }), (error) => error === failure);
    assert.equal(store.getExecution("e2"), undefined);
    assert.deepEqual(store.listNodes("e1"), []);
    assert.equal(store.getExecution("e1")!.status, "running");
    assert.equal(store.transaction(() => 42), 42);
    store.close();
  });

  it("nests transactions: an inner failure caught by the outer rolls back only the inner writes", () => {
    const store = freshStore();
    store.createExecution(execution("e1"));
    store.transaction(() => {
      store.insertNodes([node("e1", "outer"), node("e1", "outer-2")]);
      assert.throws(() => store.transaction(() => {
        store.insertNodes([node("e1", "inner")]);
        throw new Error("inner");
      }), /inner/);
      store.transaction(() => store.insertNodes([node("e1", "inner-kept")]));
    });
    assert.deepEqual(store.listNodes("e1").map((n) => n.id), ["outer", "outer-2", "inner-kept"]);
    assert.throws(() => store.transaction(() => {
      store.transaction(() => store.insertNodes([node("e1", "doomed")]));
      throw new Error("outer");
    }), /outer/);
    assert.equal(store.getNode("e1", "doomed"), undefined);
    store.close();
  });

  it("keeps everything across close and reopen, and close is idempotent", () => {
    const path = join(dir, "reopen", "state.db");
    const first = openSqliteStore(path);
    first.createExecution(execution("e1"));
    first.insertNodes([node("e1", "a")]);
    first.close();
    first.close();
    const second = openSqliteStore(path);
    assert.deepEqual(second.getExecution("e1"), execution("e1"));
    assert.deepEqual(second.listNodes("e1"), [node("e1", "a")]);
    second.close();
  });

  it("opens an in-memory store", () => {
    const store = openSqliteStore(":memory:");
    store.createExecution(execution("e1"));
    assert.equal(store.listExecutions().length, 1);
    store.close();
  });
});
