// The service in this process over a real SQLite file and real HTTP on loopback.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openSqliteStore, type SqliteStore } from "../store/sqlite-store.ts";
import { execution, node } from "../store/store-test-support.ts";
import { RunnerService } from "./runner-service.ts";
import type { ErrorResponse, ExecutionDetailResponse, ExecutionListResponse, HealthResponse } from "./protocol.ts";
import { issueToken } from "./tokens.ts";

describe("the runner service", () => {
  let store: SqliteStore;
  let service: RunnerService;
  let url: string;
  let token: string;
  const logged: string[] = [];

  before(async () => {
    store = openSqliteStore(join(mkdtempSync(join(tmpdir(), "aloft-service-")), "state.db"));
    token = (await issueToken(store, { kind: "admin" }, "test")).token;
    await store.createExecution(execution("old", { status: "succeeded", outputs: 7, createdAt: 1_000, endedAt: 3_500 }));
    await store.createExecution(execution("mid", { domain: "production", status: "failed", createdAt: 2_000, error: { code: "TASK_FAILED", kind: "user", message: "boom" } }));
    await store.createExecution(execution("new/one", { createdAt: 3_000 }));
    await store.insertNodes([node("old", "load", { status: "succeeded", inputs: { rows: 3 }, outputs: { $file: { digest: "sha256:aa", name: "a.csv", size: 3 } }, attempts: 1, startedAt: 1_100, endedAt: 1_200 }), node("old", "fit", { kind: "workflow" })]);
    service = new RunnerService({ store, version: "9.9.9", log: (line) => logged.push(line) });
    url = await service.listen(0, "127.0.0.1");
  });

  after(async () => {
    await service.close();
    await store.close();
  });

  const get = async <T = ErrorResponse>(path: string, auth: string | null = `Bearer ${token}`) => {
    const response = await fetch(url + path, { headers: auth ? { authorization: auth } : {} });
    return { status: response.status, headers: response.headers, body: (await response.json()) as T };
  };

  it("answers the health check without a token", async () => {
    assert.deepEqual((await get<HealthResponse>("/healthz", null)).body, { ok: true, version: "9.9.9" });
  });

  it("lists executions newest first, limited and filtered by status and domain", async () => {
    const all = await get<ExecutionListResponse>("/api/v1/executions");
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.executions.map((e: { executionId: string }) => e.executionId), ["new/one", "mid", "old"]);
    assert.deepEqual(all.body.executions[2], {
      executionId: "old",
      project: "default",
      domain: "development",
      entity: "train",
      kind: "workflow",
      file: "/work/flows/train.ts",
      status: "succeeded",
      createdAt: "1970-01-01T00:00:01.000Z",
      endedAt: "1970-01-01T00:00:03.500Z",
    });
    assert.deepEqual((await get<ExecutionListResponse>("/api/v1/executions?limit=1")).body.executions.map((e: { executionId: string }) => e.executionId), ["new/one"]);
    assert.deepEqual((await get<ExecutionListResponse>("/api/v1/executions?status=failed")).body.executions.map((e: { executionId: string }) => e.executionId), ["mid"]);
    assert.deepEqual((await get<ExecutionListResponse>("/api/v1/executions?domain=production")).body.executions.map((e: { executionId: string }) => e.executionId), ["mid"]);
    assert.deepEqual((await get<ExecutionListResponse>("/api/v1/executions?domain=development&limit=1")).body.executions.map((e: { executionId: string }) => e.executionId), ["new/one"]);
  });

  it("answers 400 naming a bad limit, status or parameter", async () => {
    for (const [query, pattern] of [
      ["limit=0", /limit must be a whole number from 1 to 1000, got "0"/],
      ["limit=2.5", /got "2.5"/],
      ["status=done", /status must be one of running, succeeded, failed, cancelled, got "done"/],
      ["sort=asc", /not "sort"/],
      ["domain=Prod", /domain must be 1 to 63 lowercase letters.*got "Prod"/],
    ] as const) {
      const { status, body } = await get(`/api/v1/executions?${query}`);
      assert.equal(status, 400, query);
      assert.equal(body.error.code, "BAD_QUERY");
      assert.match(body.error.message, pattern);
    }
  });

  it("gets an execution with its nodes, wire values as stored", async () => {
    const { status, body } = await get<ExecutionDetailResponse>("/api/v1/executions/old");
    assert.equal(status, 200);
    assert.equal(body.outputs, 7);
    assert.deepEqual(body.inputs, { rows: 3, when: { $date: "2024-01-02T00:00:00.000Z" } });
    assert.deepEqual(body.nodes, [
      { id: "load", parentId: null, entity: "load", kind: "task", status: "succeeded", cached: false, attempts: 1, startedAt: "1970-01-01T00:00:01.100Z", endedAt: "1970-01-01T00:00:01.200Z", outputs: { $file: { digest: "sha256:aa", name: "a.csv", size: 3 } }, error: null, inputs: { rows: 3 } },
      { id: "fit", parentId: null, entity: "fit", kind: "workflow", status: "pending", cached: false, attempts: 0, startedAt: null, endedAt: null, outputs: null, error: null, inputs: null },
    ]);
    assert.equal(body.bundle, null, "a run not submitted to the runner has no bundle among its blobs");
    assert.equal((await get<ExecutionDetailResponse>("/api/v1/executions/mid")).body.error?.message, "boom");
    assert.equal((await get<ExecutionDetailResponse>("/api/v1/executions/new%2Fone")).body.executionId, "new/one");
  });

  it("answers 404 naming an unknown execution, and an unknown route", async () => {
    const missing = await get("/api/v1/executions/nosuch");
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body.error, { code: "EXECUTION_NOT_FOUND", message: 'no execution "nosuch" in this runner; GET /api/v1/executions lists the recent ones' });
    const route = await get("/api/v2/things");
    assert.equal(route.status, 404);
    assert.equal(route.body.error.code, "ROUTE_NOT_FOUND");
  });

  it("answers 405 with Allow for a method a route does not take", async () => {
    const response = await fetch(`${url}/api/v1/executions`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET");
    assert.equal(((await response.json()) as ErrorResponse).error.code, "METHOD_NOT_ALLOWED");
  });

  it("answers 401 with WWW-Authenticate before reading anything", async () => {
    for (const auth of [null, "Bearer wrong", "Token abc"]) {
      const { status, headers, body } = await get("/api/v1/executions/old", auth);
      assert.equal(status, 401, String(auth));
      assert.match(headers.get("www-authenticate") ?? "", /^Bearer /);
      assert.equal(body.error.code, "UNAUTHENTICATED");
      assert.deepEqual(Object.keys(body), ["error"]);
    }
  });
});

describe("the runner service over a failing store", () => {
  it("answers 500 with a JSON error and logs it", async () => {
    const store = openSqliteStore(":memory:");
    const token = (await issueToken(store, { kind: "admin" }, "test")).token;
    const logged: string[] = [];
    const service = new RunnerService({ store, version: "1", log: (line) => logged.push(line) });
    const url = await service.listen(0, "127.0.0.1");
    try {
      await store.close();
      const response = await fetch(`${url}/api/v1/executions`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 500);
      const body = (await response.json()) as ErrorResponse;
      assert.equal(body.error.code, "INTERNAL");
      assert.match(body.error.message, /internal error of the runner service: .*not open/);
      assert.equal(logged.length, 1);
      assert.match(logged[0]!, /GET \/api\/v1\/executions failed/);
    } finally {
      await service.close();
    }
  });
});
