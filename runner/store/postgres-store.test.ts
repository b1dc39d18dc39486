import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { JobResult } from "../worker/protocol.ts";
import { openStore } from "./open-store.ts";
import { POSTGRES_SCHEMA_VERSION } from "./postgres-schema.ts";
import { openPostgresStore } from "./postgres-store.ts";
import { POSTGRES_TEST_URL, TestSchemas } from "./postgres-test-support.ts";
import type { StateStore } from "./state-store.ts";
import { describeStateStoreContract } from "./state-store-contract.ts";
import { AttemptConflictError } from "./store-errors.ts";
import { assertStoreError, attempt, execution, node } from "./store-test-support.ts";

const schemas = new TestSchemas();
after(() => schemas.dropAll());

describeStateStoreContract("PostgresStore", () => openPostgresStore(schemas.url()));

/** Two stores (two pools) on one schema, as two runner replicas would have. */
async function twoReplicas(poolSize = 4): Promise<[StateStore, StateStore]> {
  const url = schemas.url();
  return [await openPostgresStore(url, { poolSize }), await openPostgresStore(url, { poolSize })];
}

async function closeAll(...stores: StateStore[]): Promise<void> {
  await Promise.all(stores.map((store) => store.close()));
}

describe("PostgresStore shared by replicas", () => {
  it("never lets two concurrent claimers of one execution both win", async () => {
    const [a, b] = await twoReplicas();
    try {
      const rounds = 150;
      for (let i = 0; i < rounds; i++) await a.createExecution(execution(`e${i}`, { createdAt: i }));
      const winners: string[] = [];
      await Promise.all(
        Array.from({ length: rounds }, async (_, i) => {
          const [first, second] = await Promise.all([a.claimExecution(`e${i}`, "r1", 60_000), b.claimExecution(`e${i}`, "r2", 60_000)]);
          assert.equal(Number(first) + Number(second), 1, `round ${i}: exactly one claim wins (r1 ${first}, r2 ${second})`);
          winners[i] = first ? "r1" : "r2";
        }),
      );
      // Expired leases: a third and a fourth replica race to take each over.
      for (let i = 0; i < rounds; i++) await (winners[i] === "r1" ? a : b).claimExecution(`e${i}`, winners[i]!, -1);
      await Promise.all(
        Array.from({ length: rounds }, async (_, i) => {
          const [first, second] = await Promise.all([a.claimExecution(`e${i}`, "r3", 60_000), b.claimExecution(`e${i}`, "r4", 60_000)]);
          assert.equal(Number(first) + Number(second), 1, `takeover ${i}: exactly one wins`);
          assert.equal((await a.getLease(`e${i}`))?.epoch, 2);
        }),
      );
      const held = [...(await a.renewLeases("r3", 60_000)), ...(await b.renewLeases("r4", 60_000))];
      assert.equal(held.length, rounds, "every execution has exactly one holder");
      assert.equal(new Set(held).size, rounds);
    } finally {
      await closeAll(a, b);
    }
  });

  it("starts an attempt once when two replicas start it at the same time", async () => {
    const [a, b] = await twoReplicas();
    try {
      const nodes = Array.from({ length: 40 }, (_, i) => node("e1", `n${i}`));
      await a.createExecution(execution("e1"), nodes);
      await Promise.all(
        nodes.map(async ({ id }) => {
          const outcomes = await Promise.allSettled([a.startAttempt(attempt("e1", id, 1)), b.startAttempt(attempt("e1", id, 1))]);
          const started = outcomes.filter((o) => o.status === "fulfilled").length;
          assert.equal(started, 1, `node ${id}: one start succeeds`);
          const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
          assert.ok(refused.reason instanceof AttemptConflictError, String(refused.reason));
        }),
      );
      assert.equal((await a.listAttempts("e1")).length, nodes.length);
    } finally {
      await closeAll(a, b);
    }
  });

  it("keeps one report per attempt and one secret per name when replicas race", async () => {
    const [a, b] = await twoReplicas();
    try {
      const nodes = Array.from({ length: 30 }, (_, i) => node("e1", `n${i}`));
      await a.createExecution(execution("e1"), nodes);
      for (const { id } of nodes) await a.startAttempt(attempt("e1", id, 1));
      await Promise.all(
        nodes.map(async ({ id }) => {
          const ref = { executionId: "e1", nodeId: id, attempt: 1 };
          const reports: JobResult[] = [{ ok: true, output: "from a" }, { ok: true, output: "from b" }];
          const outcomes = await Promise.all([a.saveAttemptReport(ref, reports[0]!), b.saveAttemptReport(ref, reports[1]!)]);
          assert.equal(outcomes.filter(Boolean).length, 1, `node ${id}: one report stands (${outcomes})`);
          assert.deepEqual(await b.getAttemptReport(ref), reports[outcomes.indexOf(true)]);
        }),
      );
      const secrets = await Promise.all(
        Array.from({ length: 20 }, (_, i) => Promise.all([a.getOrCreateSecret(`s${i}`, () => Buffer.from(`a${i}`)), b.getOrCreateSecret(`s${i}`, () => Buffer.from(`b${i}`))])),
      );
      for (const [fromA, fromB] of secrets) assert.ok(fromA.equals(fromB), `${fromA} vs ${fromB}`);
    } finally {
      await closeAll(a, b);
    }
  });

  it("migrates a fresh schema once when replicas open it at the same time, and keeps everything across reopen", async () => {
    const url = schemas.url();
    const opened = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(url, { poolSize: 2 })));
    await opened[0]!.createExecution(execution("e1"), [node("e1", "a")]);
    await closeAll(...opened);
    await opened[0]!.close();
    const reopened = await openStore(url);
    assert.deepEqual(await reopened.getExecution("e1"), execution("e1"));
    assert.deepEqual(await reopened.listNodes("e1"), [node("e1", "a")]);
    await reopened.close();
  });
});

describe("PostgresStore migrations", () => {
  it("moves a schema of version 1 (before domains) to the current one, losing nothing, its executions in development", async () => {
    const schema = schemas.name();
    const store = await openPostgresStore(schemas.url(schema));
    const before = execution("old", { project: "fraud", status: "succeeded", outputs: { auc: 0.9 }, endedAt: 2_000 });
    await store.createExecution(before, [node("old", "train")]);
    await store.startAttempt(attempt("old", "train", 1));
    const token = { id: "t1", hash: "ab".repeat(32), scope: { kind: "project" as const, project: "fraud" }, description: "fraud team", createdAt: 1 };
    await store.insertToken(token);
    const [nodes, attempts] = [await store.listNodes("old"), await store.listAttempts("old")];
    await store.close();
    // The schema as version 1 left it: no domain column (its index goes with it).
    await schemas.sql(`ALTER TABLE ${schema}.executions DROP COLUMN domain; UPDATE ${schema}.aloft_schema SET version = 1`);

    const migrated = await openPostgresStore(schemas.url(schema));
    try {
      assert.deepEqual(await migrated.getExecution("old"), { ...before, domain: "development" });
      assert.deepEqual(await migrated.listNodes("old"), nodes);
      assert.deepEqual(await migrated.listAttempts("old"), attempts);
      assert.deepEqual(await migrated.listTokens(), [token]);
      assert.deepEqual((await migrated.listExecutions({ project: "fraud", domain: "development" })).map((e) => e.id), ["old"]);
      await migrated.createExecution(execution("new", { domain: "production" }));
      assert.deepEqual((await migrated.listExecutions({ domain: "production" })).map((e) => e.id), ["new"]);
      const { rows } = await schemas.sql(`SELECT version FROM ${schema}.aloft_schema`);
      assert.deepEqual(rows, [{ version: POSTGRES_SCHEMA_VERSION }]);
    } finally {
      await migrated.close();
    }
  });
});

describe("PostgresStore failures", () => {
  it("refuses URLs it cannot use before connecting, naming them without the password", async () => {
    for (const [url, pattern] of [
      ["postgres://aloft:hunter2@db:notaport/aloft", /does not parse/],
      ["postgres://aloft:hunter2@db:5432", /names no database/],
      ["postgres://aloft:hunter2@db/aloft?schema=Bad-Name", /schema "Bad-Name" must be lowercase/],
    ] as const) {
      const error = await assertStoreError(() => openPostgresStore(url), "STORE_BAD_URL", pattern, "postgres://aloft");
      assert.ok(!error.message.includes("hunter2"), error.message);
    }
  });

  it("says it cannot reach a database where nothing listens, naming the URL without the password", async () => {
    const error = await assertStoreError(() => openStore("postgres://aloft:hunter2@127.0.0.1:1/aloft"), "STORE_UNREACHABLE", "postgres://aloft@127.0.0.1:1/aloft", "check that the server runs");
    assert.ok(!error.message.includes("hunter2"), error.message);
  });

  it("names a missing database and a role the server does not know", async () => {
    const server = new URL(POSTGRES_TEST_URL);
    const missing = new URL(server);
    missing.pathname = "/aloft_no_such_database";
    await assertStoreError(() => openPostgresStore(missing.toString()), "STORE_NO_DATABASE", "aloft_no_such_database", "does not exist");
    const stranger = new URL(server);
    stranger.username = "aloft_no_such_role";
    stranger.password = "pw";
    const error = await assertStoreError(() => openPostgresStore(stranger.toString()), "STORE_ACCESS_DENIED", "aloft_no_such_role@", "refused the login");
    assert.ok(!error.message.includes(":pw@"), error.message);
  });

  it("refuses a schema written by a newer aloft, and one with tables aloft did not make", async () => {
    const newer = schemas.name();
    await (await openPostgresStore(schemas.url(newer))).close();
    await schemas.sql(`UPDATE ${newer}.aloft_schema SET version = $1`, [POSTGRES_SCHEMA_VERSION + 1]);
    await assertStoreError(() => openPostgresStore(schemas.url(newer)), "STORE_TOO_NEW", `schema version ${POSTGRES_SCHEMA_VERSION + 1}`, `schema=${newer}`, "upgrade aloft");

    const foreign = schemas.name();
    await schemas.sql(`CREATE SCHEMA ${foreign}; CREATE TABLE ${foreign}.executions (id TEXT)`);
    await assertStoreError(() => openPostgresStore(schemas.url(foreign)), "STORE_NOT_ALOFT", `schema=${foreign}`, "did not create");
  });

  it("fails calls on a closed store with a clear error", async () => {
    const store = await openPostgresStore(schemas.url());
    await store.close();
    await assert.rejects(() => store.getExecution("e1"), /pool|end/i);
  });
});
