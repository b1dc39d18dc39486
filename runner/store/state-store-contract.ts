/**
 * The contract every StateStore keeps, as tests: run by sqlite-store.test.ts
 * and postgres-store.test.ts on a fresh, empty store per test. This half:
 * executions, nodes, attempts and the cache; the other half
 * (state-store-contract-replicas.ts): leases, reports, tokens, secrets.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ExecutionRecord, NodeRecord, StateStore } from "./state-store.ts";
import { AttemptConflictError } from "./store-errors.ts";
import { assertStoreError, attempt, execution, node } from "./store-test-support.ts";
import { describeReplicaContract } from "./state-store-contract-replicas.ts";

export type OpenStore = () => Promise<StateStore>;

/** Runs `body` on a fresh store and closes it, whatever happens. */
export function withStore(open: OpenStore, body: (store: StateStore) => Promise<void>): () => Promise<void> {
  return async () => {
    const store = await open();
    try {
      await body(store);
    } finally {
      await store.close();
    }
  };
}

const ids = (list: { id: string }[]) => list.map((e) => e.id);

export function describeStateStoreContract(name: string, open: OpenStore): void {
  describe(`${name}: the StateStore contract`, () => {
    describeExecutionContract(open);
    describeNodeContract(open);
    describeAttemptContract(open);
    describeReplicaContract(open);
  });
}

function describeExecutionContract(open: OpenStore): void {
  it("round-trips an execution, with and without its optional fields", withStore(open, async (store) => {
    const bare = execution("e1");
    const full = execution("e2", {
      project: "fraud",
      domain: "production",
      status: "failed",
      outputs: null,
      error: { code: "TASK_FAILED", kind: "user", message: "boom", node: "train", stack: "at x" },
      descriptor: "sha256:d",
      sourceMap: "sha256:m",
      cancelRequestedAt: 1_500,
      endedAt: 2_000,
    });
    await store.createExecution(bare);
    await store.createExecution(full);
    assert.deepEqual(await store.getExecution("e1"), bare);
    assert.deepEqual(await store.getExecution("e2"), full);
    assert.equal(await store.getExecution("nope"), undefined);
  }));

  it("keeps values byte for byte: key order, unicode, escapes, big and small numbers", withStore(open, async (store) => {
    const inputs = { z: 1, a: [0.1, -0, 1e21, 2 ** 53], "ключ": "a\u0000b\n\"c\" 😀", nested: { b: null, a: true } };
    await store.createExecution(execution("e1", { inputs: inputs as unknown as ExecutionRecord["inputs"] }));
    const stored = await store.getExecution("e1");
    assert.equal(JSON.stringify(stored?.inputs), JSON.stringify(inputs));
  }));

  it("updates only the execution fields in the patch", withStore(open, async (store) => {
    await store.createExecution(execution("e1"));
    await store.updateExecution("e1", { status: "succeeded", outputs: { $file: { digest: "sha256:1", name: "m.bin", size: 3 } } });
    await store.updateExecution("e1", { endedAt: 5_000 });
    assert.deepEqual(await store.getExecution("e1"), {
      ...execution("e1"),
      status: "succeeded",
      outputs: { $file: { digest: "sha256:1", name: "m.bin", size: 3 } },
      endedAt: 5_000,
    });
    await assertStoreError(() => store.updateExecution("nope", { status: "failed" }), "STORE_NOT_FOUND", "execution nope is not in the state database", store.location);
  }));

  it("lists executions newest first, with a limit and status and project filters", withStore(open, async (store) => {
    await store.createExecution(execution("old", { createdAt: 1, status: "succeeded" }));
    await store.createExecution(execution("new", { createdAt: 3, status: "failed", project: "fraud" }));
    await store.createExecution(execution("mid", { createdAt: 2, status: "succeeded", project: "fraud" }));
    await store.createExecution(execution("mid-later", { createdAt: 2, status: "running" }));
    assert.deepEqual(ids(await store.listExecutions()), ["new", "mid-later", "mid", "old"]);
    assert.deepEqual(ids(await store.listExecutions({ limit: 2 })), ["new", "mid-later"]);
    assert.deepEqual(ids(await store.listExecutions({ status: "succeeded" })), ["mid", "old"]);
    assert.deepEqual(ids(await store.listExecutions({ status: "succeeded", limit: 1 })), ["mid"]);
    assert.deepEqual(ids(await store.listExecutions({ status: "cancelled" })), []);
    assert.deepEqual(ids(await store.listExecutions({ project: "fraud" })), ["new", "mid"]);
    assert.deepEqual(ids(await store.listExecutions({ project: "fraud", status: "succeeded" })), ["mid"]);
    assert.deepEqual(ids(await store.listExecutions({ project: "default", limit: 1 })), ["mid-later"]);
    assert.deepEqual(ids(await store.listExecutions({ project: "nobody" })), []);
    assert.deepEqual((await store.listExecutions({ limit: 1 }))[0], execution("new", { createdAt: 3, status: "failed", project: "fraud" }));
  }));

  it("keeps each execution's domain and lists one domain of a project, or of every project", withStore(open, async (store) => {
    await store.createExecution(execution("dev", { createdAt: 1, project: "fraud" }));
    await store.createExecution(execution("prod", { createdAt: 2, project: "fraud", domain: "production" }));
    await store.createExecution(execution("other-prod", { createdAt: 3, domain: "production", status: "succeeded" }));
    await store.createExecution(execution("staged", { createdAt: 4, project: "fraud", domain: "staging" }));
    assert.equal((await store.getExecution("dev"))?.domain, "development");
    assert.equal((await store.getExecution("prod"))?.domain, "production");
    assert.deepEqual(ids(await store.listExecutions({ domain: "production" })), ["other-prod", "prod"]);
    assert.deepEqual(ids(await store.listExecutions({ project: "fraud", domain: "production" })), ["prod"]);
    assert.deepEqual(ids(await store.listExecutions({ project: "fraud", domain: "development" })), ["dev"]);
    assert.deepEqual(ids(await store.listExecutions({ domain: "production", status: "succeeded" })), ["other-prod"]);
    assert.deepEqual(ids(await store.listExecutions({ domain: "staging", limit: 1 })), ["staged"]);
    assert.deepEqual(ids(await store.listExecutions({ project: "default", domain: "staging" })), []);
    assert.deepEqual(ids(await store.listExecutions({ project: "fraud" })), ["staged", "prod", "dev"], "without a domain, every domain");
  }));

  it("records an execution with its nodes, all or nothing", withStore(open, async (store) => {
    await store.createExecution(execution("e1"), [node("e1", "a"), node("e1", "b")]);
    assert.deepEqual(ids(await store.listNodes("e1")), ["a", "b"]);
    await assertStoreError(() => store.createExecution(execution("e2"), [node("e2", "a"), node("e2", "a")]), "STORE_CONSTRAINT", "execution e2");
    assert.equal(await store.getExecution("e2"), undefined, "the execution of a failed batch is not there");
    assert.deepEqual(await store.listNodes("e2"), []);
    await assertStoreError(() => store.createExecution(execution("e1")), "STORE_CONSTRAINT", "execution e1");
  }));

  it("finishes a running execution once: its end, nodes left skipped, running attempts closed", withStore(open, async (store) => {
    await store.createExecution(execution("e1"), [node("e1", "done", { status: "succeeded", outputs: 1 }), node("e1", "waiting"), node("e1", "busy")]);
    await store.startAttempt(attempt("e1", "busy", 1));
    const error = { code: "CANCELLED", kind: "user" as const, message: "stop" };
    assert.equal(await store.finishExecution("e1", { status: "cancelled", error, endedAt: 9_000 }), true);
    assert.deepEqual(await store.getExecution("e1"), execution("e1", { status: "cancelled", error, endedAt: 9_000 }));
    const nodes = await store.listNodes("e1");
    assert.deepEqual(nodes.map((n) => [n.id, n.status, n.endedAt]), [["done", "succeeded", undefined], ["waiting", "skipped", 9_000], ["busy", "skipped", 9_000]]);
    assert.deepEqual(await store.listAttempts("e1"), [attempt("e1", "busy", 1, { status: "failed", endedAt: 9_000, error })]);

    assert.equal(await store.finishExecution("e1", { status: "succeeded", outputs: 5, endedAt: 10_000 }), false, "an ended execution stays as it ended");
    assert.equal((await store.getExecution("e1"))?.status, "cancelled");
    await store.createExecution(execution("e2"), [node("e2", "a", { status: "succeeded" })]);
    assert.equal(await store.finishExecution("e2", { status: "succeeded", outputs: { x: [1] }, endedAt: 3 }), true);
    assert.deepEqual(await store.getExecution("e2"), execution("e2", { status: "succeeded", outputs: { x: [1] }, endedAt: 3 }));
    await assertStoreError(() => store.finishExecution("nope", { status: "failed", endedAt: 1 }), "STORE_NOT_FOUND", "execution nope");
  }));

  it("records a request to cancel a running execution, once", withStore(open, async (store) => {
    await store.createExecution(execution("e1"));
    await store.createExecution(execution("e2", { status: "succeeded" }));
    assert.equal(await store.requestCancel("e1", 50), true);
    assert.equal(await store.requestCancel("e1", 60), true);
    assert.equal((await store.getExecution("e1"))?.cancelRequestedAt, 50, "the first request's time stays");
    assert.equal(await store.requestCancel("e2", 70), false);
    assert.equal((await store.getExecution("e2"))?.cancelRequestedAt, undefined);
    await assertStoreError(() => store.requestCancel("nope"), "STORE_NOT_FOUND", "execution nope");
  }));
}

function describeNodeContract(open: OpenStore): void {
  it("round-trips nodes and lists them in insertion order", withStore(open, async (store) => {
    await store.createExecution(execution("e1"));
    await store.createExecution(execution("e2"));
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
    await store.insertNodes(inserted);
    await store.insertNodes([node("e2", "zeta")]);
    await store.insertNodes([node("e1", "after")]);
    await store.insertNodes([]);
    assert.deepEqual(await store.getNode("e1", "train"), full);
    assert.deepEqual(await store.getNode("e1", "zeta"), node("e1", "zeta"));
    assert.equal(await store.getNode("e1", "nope"), undefined);
    assert.deepEqual(await store.listNodes("e1"), [...inserted, node("e1", "after")]);
    assert.deepEqual(await store.listNodes("e2"), [node("e2", "zeta")]);
    assert.deepEqual(await store.listNodes("nope"), []);
  }));

  it("keeps the order of a big batch of nodes", withStore(open, async (store) => {
    await store.createExecution(execution("e1"));
    const items = Array.from({ length: 3000 }, (_, i) => node("e1", `squares[${(i * 7919) % 3000}]`, { kind: "item", parentId: "squares", inputs: { x: i } }));
    await store.insertNodes(items);
    assert.deepEqual(await store.listNodes("e1"), items);
  }));

  it("updates only the node fields in the patch", withStore(open, async (store) => {
    await store.createExecution(execution("e1"));
    await store.insertNodes([node("e1", "a", { inputs: { x: 1 }, cacheKey: "k" }), node("e1", "b")]);
    await store.updateNode("e1", "a", { status: "running", attempts: 1, startedAt: 7 });
    await store.updateNode("e1", "a", { outputs: { y: [true] }, endedAt: 9, error: undefined });
    await store.updateNode("e1", "a", {});
    assert.deepEqual(await store.getNode("e1", "a"), node("e1", "a", {
      inputs: { x: 1 },
      cacheKey: "k",
      status: "running",
      attempts: 1,
      startedAt: 7,
      outputs: { y: [true] },
      endedAt: 9,
    }));
    await store.updateNode("e1", "a", { status: "succeeded", cached: true, graph: { g: 1 } as unknown as NodeRecord["graph"], error: { code: "C", kind: "timeout", message: "slow" } });
    const a = (await store.getNode("e1", "a"))!;
    assert.equal(a.status, "succeeded");
    assert.equal(a.cached, true);
    assert.deepEqual(a.graph, { g: 1 });
    assert.deepEqual(a.error, { code: "C", kind: "timeout", message: "slow" });
    assert.deepEqual(a.inputs, { x: 1 });
    assert.deepEqual(await store.getNode("e1", "b"), node("e1", "b"));
    await store.updateNode("e1", "a", { cached: false });
    assert.equal((await store.getNode("e1", "a"))!.cached, false);
    await assertStoreError(() => store.updateNode("e1", "ghost", { status: "failed" }), "STORE_NOT_FOUND", "node ghost of execution e1");
    await assertStoreError(() => store.updateNode("e1", "ghost", {}), "STORE_NOT_FOUND", "node ghost of execution e1");
  }));

  it("refuses nodes of an unknown execution and repeated node ids, leaving nothing of the batch", withStore(open, async (store) => {
    await assertStoreError(() => store.insertNodes([node("ghost", "a")]), "STORE_CONSTRAINT", "execution ghost");
    await store.createExecution(execution("e1"));
    await store.insertNodes([node("e1", "a")]);
    await assertStoreError(() => store.insertNodes([node("e1", "b"), node("e1", "a")]), "STORE_CONSTRAINT", "execution e1");
    assert.deepEqual(ids(await store.listNodes("e1")), ["a"], "the failed batch left nothing behind");
  }));

  it("updates several nodes together, or none when one is missing", withStore(open, async (store) => {
    await store.createExecution(execution("e1"), [node("e1", "a"), node("e1", "b")]);
    await store.updateNodes("e1", [{ nodeId: "a", patch: { status: "succeeded", outputs: 1, cached: true } }, { nodeId: "b", patch: { status: "running" } }]);
    assert.deepEqual((await store.listNodes("e1")).map((n) => [n.status, n.outputs, n.cached]), [["succeeded", 1, true], ["running", undefined, false]]);
    await assertStoreError(() => store.updateNodes("e1", [{ nodeId: "b", patch: { status: "failed" } }, { nodeId: "ghost", patch: { status: "failed" } }]), "STORE_NOT_FOUND", "node ghost");
    assert.equal((await store.getNode("e1", "b"))?.status, "running", "the failed batch changed nothing");
    await store.updateNodes("e1", []);
  }));

  it("expands a node: its patch and its children together, or neither", withStore(open, async (store) => {
    await store.createExecution(execution("e1"), [node("e1", "squares", { kind: "map" })]);
    const items = [0, 1].map((i) => node("e1", `squares[${i}]`, { kind: "item", parentId: "squares", inputs: { x: i } }));
    await store.expandNode("e1", "squares", { status: "running", inputs: { xs: [0, 1] }, startedAt: 4 }, items);
    assert.deepEqual(await store.listNodes("e1"), [node("e1", "squares", { kind: "map", status: "running", inputs: { xs: [0, 1] }, startedAt: 4 }), ...items]);
    await store.insertNodes([node("e1", "flow", { kind: "workflow" })]);
    await assertStoreError(
      () => store.expandNode("e1", "flow", { graph: { nodes: [] } as unknown as NodeRecord["graph"] }, [node("e1", "flow/a"), node("e1", "squares[0]")]),
      "STORE_CONSTRAINT",
      "node flow of execution e1",
    );
    assert.equal((await store.getNode("e1", "flow"))?.graph, undefined, "the patch of a failed expansion is not there");
    assert.equal(await store.getNode("e1", "flow/a"), undefined);
    await assertStoreError(() => store.expandNode("e1", "ghost", { status: "running" }, []), "STORE_NOT_FOUND", "node ghost");
  }));
}

function describeAttemptContract(open: OpenStore): void {
  it("starts attempts (the node running with their number), finishes them, and lists them per execution and per node", withStore(open, async (store) => {
    await store.createExecution(execution("e1"), [node("e1", "a"), node("e1", "b")]);
    await store.startAttempt(attempt("e1", "b", 1, { workerPid: 4242 }));
    assert.deepEqual(await store.getNode("e1", "b"), node("e1", "b", { status: "running", attempts: 1, startedAt: 101 }));
    await store.startAttempt(attempt("e1", "a", 1));
    const oom = { code: "OOM", kind: "system" as const, message: "worker died" };
    await store.finishAttempt({ executionId: "e1", nodeId: "b", attempt: 1 }, { status: "failed", endedAt: 150, error: oom }, { node: { status: "pending", error: oom } });
    assert.equal((await store.getNode("e1", "b"))?.status, "pending");
    await store.startAttempt(attempt("e1", "b", 2));
    assert.deepEqual(await store.getNode("e1", "b"), node("e1", "b", { status: "running", attempts: 2, startedAt: 101, error: oom }), "startedAt stays the first attempt's");
    await store.finishAttempt({ executionId: "e1", nodeId: "b", attempt: 2 }, { status: "succeeded", endedAt: 160 });
    assert.deepEqual(await store.listAttempts("e1"), [
      attempt("e1", "b", 1, { workerPid: 4242, status: "failed", endedAt: 150, error: oom }),
      attempt("e1", "a", 1),
      attempt("e1", "b", 2, { status: "succeeded", endedAt: 160 }),
    ]);
    assert.deepEqual((await store.listAttempts("e1", "b")).map((a) => [a.attempt, a.status]), [[1, "failed"], [2, "succeeded"]]);
    assert.deepEqual(await store.listAttempts("e1", "nope"), []);
    await assertStoreError(() => store.startAttempt(attempt("e1", "ghost", 1)), "STORE_CONSTRAINT", "node ghost");
    await assertStoreError(() => store.finishAttempt({ executionId: "e1", nodeId: "a", attempt: 9 }, { status: "failed", endedAt: 1 }), "STORE_NOT_FOUND", "attempt 9 of node a");
  }));

  it("never starts the same attempt twice", withStore(open, async (store) => {
    await store.createExecution(execution("e1"), [node("e1", "a")]);
    await store.startAttempt(attempt("e1", "a", 1));
    await store.finishAttempt({ executionId: "e1", nodeId: "a", attempt: 1 }, { status: "failed", endedAt: 120 });
    const conflict = await assertStoreError(() => store.startAttempt(attempt("e1", "a", 1, { startedAt: 999 })), "ATTEMPT_EXISTS", "attempt 1 of node a of execution e1");
    assert.ok(conflict instanceof AttemptConflictError);
    assert.deepEqual((await store.listAttempts("e1")).map((a) => [a.attempt, a.status, a.startedAt]), [[1, "failed", 101]]);
  }));

  it("finishes an attempt with its node, cache entry and children in one go, or not at all", withStore(open, async (store) => {
    await store.createExecution(execution("e1"), [node("e1", "train"), node("e1", "expand", { kind: "dynamic" })]);
    await store.startAttempt(attempt("e1", "train", 1));
    const entry = { key: "k", entity: "train", outputs: { m: 1 }, executionId: "e1", nodeId: "train", createdAt: 5 };
    await store.finishAttempt(
      { executionId: "e1", nodeId: "train", attempt: 1 },
      { status: "succeeded", endedAt: 200 },
      { node: { status: "succeeded", outputs: { m: 1 }, cacheKey: "k", endedAt: 200 }, cache: entry },
    );
    assert.deepEqual(await store.getNode("e1", "train"), node("e1", "train", { status: "succeeded", attempts: 1, startedAt: 101, outputs: { m: 1 }, cacheKey: "k", endedAt: 200 }));
    assert.deepEqual(await store.getCached("k"), entry);

    await store.startAttempt(attempt("e1", "expand", 1));
    const graph = { nodes: [{ id: "a" }] } as unknown as NodeRecord["graph"];
    const ref = { executionId: "e1", nodeId: "expand", attempt: 1 };
    await assertStoreError(
      () => store.finishAttempt(ref, { status: "succeeded", endedAt: 300 }, { node: { graph }, children: [node("e1", "expand/a"), node("e1", "train")] }),
      "STORE_CONSTRAINT",
      "attempt 1 of node expand",
    );
    assert.equal((await store.listAttempts("e1", "expand"))[0]?.status, "running", "the attempt stays open when its outcome cannot be written");
    assert.equal((await store.getNode("e1", "expand"))?.graph, undefined);
    await store.finishAttempt(ref, { status: "succeeded", endedAt: 300 }, { node: { graph }, children: [node("e1", "expand/a", { parentId: "expand" })] });
    assert.deepEqual(ids(await store.listNodes("e1")), ["train", "expand", "expand/a"]);
    assert.deepEqual((await store.getNode("e1", "expand"))?.graph, graph);
  }));

  it("closes the attempts a dead runner left running, and only those", withStore(open, async (store) => {
    await store.createExecution(execution("e1"), [node("e1", "a"), node("e1", "b")]);
    await store.createExecution(execution("e2"), [node("e2", "a")]);
    await store.startAttempt(attempt("e1", "a", 1));
    await store.finishAttempt({ executionId: "e1", nodeId: "a", attempt: 1 }, { status: "succeeded", endedAt: 110 });
    await store.startAttempt(attempt("e1", "b", 1));
    await store.startAttempt(attempt("e2", "a", 1));
    const closed = await store.closeRunningAttempts("e1", 500, (a) => ({ code: "RUNNER_INTERRUPTED", kind: "system", node: a.nodeId, message: "gone" }));
    assert.deepEqual(closed, [attempt("e1", "b", 1)]);
    assert.deepEqual((await store.listAttempts("e1")).map((a) => [a.nodeId, a.status, a.endedAt, a.error?.node]), [["a", "succeeded", 110, undefined], ["b", "failed", 500, "b"]]);
    assert.equal((await store.listAttempts("e2"))[0]?.status, "running");
    assert.deepEqual(await store.closeRunningAttempts("e1", 600, () => ({ code: "X", kind: "system", message: "m" })), []);
  }));

  it("gets and puts cache entries, a later put replacing an earlier one", withStore(open, async (store) => {
    assert.equal(await store.getCached("k"), undefined);
    const entry = { key: "k", entity: "train", outputs: { model: { $file: { digest: "sha256:9", name: "m", size: 1 } } }, executionId: "e1", nodeId: "train", createdAt: 5 };
    await store.putCached(entry);
    assert.deepEqual(await store.getCached("k"), entry);
    await store.putCached({ ...entry, outputs: null, executionId: "e2" });
    assert.deepEqual(await store.getCached("k"), { ...entry, outputs: null, executionId: "e2" });
  }));
}
