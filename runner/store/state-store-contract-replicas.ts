/**
 * The half of the StateStore contract that runner replicas sharing a store
 * rely on: leases and fenced attempts, attempt reports, tokens, secrets.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { JobResult } from "../worker/protocol.ts";
import type { OpenStore } from "./state-store-contract.ts";
import { withStore } from "./state-store-contract.ts";
import { LeaseLostError } from "./store-errors.ts";
import { assertStoreError, attempt, execution, node } from "./store-test-support.ts";

const ref = (nodeId: string, n: number) => ({ executionId: "e1", nodeId, attempt: n });

export function describeReplicaContract(open: OpenStore): void {
  it("leases an execution to one replica at a time; a takeover bumps the epoch", withStore(open, async (store) => {
    await store.createExecution(execution("e1"));
    assert.equal(await store.getLease("e1"), undefined);
    const before = Date.now();
    assert.equal(await store.claimExecution("e1", "r1", 60_000), true);
    const first = (await store.getLease("e1"))!;
    assert.equal(first.replicaId, "r1");
    assert.equal(first.epoch, 1);
    assert.ok(first.expiresAt >= before + 60_000, "the lease runs from the claim");
    assert.equal(await store.claimExecution("e1", "r2", 60_000), false, "a live lease of another replica holds");
    assert.equal(await store.claimExecution("e1", "r1", 120_000), true, "the holder claims again: a renewal");
    const renewed = (await store.getLease("e1"))!;
    assert.equal(renewed.epoch, 1, "a renewal is no takeover");
    assert.ok(renewed.expiresAt >= first.expiresAt + 50_000);

    assert.equal(await store.claimExecution("e1", "r1", -1), true, "a lease that is already over, so r2 may take it");
    assert.equal(await store.claimExecution("e1", "r2", 60_000), true);
    assert.deepEqual({ ...(await store.getLease("e1"))!, expiresAt: 0 }, { replicaId: "r2", epoch: 2, expiresAt: 0 });
    assert.equal(await store.claimExecution("ghost", "r1", 60_000), false);
  }));

  it("renews every lease a replica holds, and releases one on request", withStore(open, async (store) => {
    for (const id of ["a", "b", "c"]) await store.createExecution(execution(id));
    await store.claimExecution("a", "r1", 1_000);
    await store.claimExecution("b", "r1", 1_000);
    await store.claimExecution("c", "r2", 1_000);
    assert.deepEqual((await store.renewLeases("r1", 90_000)).sort(), ["a", "b"]);
    assert.ok((await store.getLease("a"))!.expiresAt > Date.now() + 80_000);
    assert.ok((await store.getLease("c"))!.expiresAt < Date.now() + 2_000, "another replica's lease is not touched");
    await store.releaseExecution("a", "r2");
    assert.equal((await store.getLease("a"))?.replicaId, "r1", "only the holder releases");
    await store.releaseExecution("a", "r1");
    assert.equal(await store.getLease("a"), undefined);
    assert.deepEqual(await store.renewLeases("r1", 90_000), ["b"]);
    assert.deepEqual(await store.renewLeases("nobody", 90_000), []);
    assert.equal(await store.claimExecution("a", "r2", 60_000), true);
    assert.equal((await store.getLease("a"))?.epoch, 2, "a claim after a release is a new ownership");
  }));

  it("lists running executions nobody holds, oldest first", withStore(open, async (store) => {
    await store.createExecution(execution("held", { createdAt: 1 }));
    await store.createExecution(execution("expired", { createdAt: 3 }));
    await store.createExecution(execution("free", { createdAt: 2 }));
    await store.createExecution(execution("done", { createdAt: 0, status: "succeeded" }));
    await store.createExecution(execution("free-later", { createdAt: 4 }));
    await store.claimExecution("held", "r1", 60_000);
    await store.claimExecution("expired", "r1", -1);
    const now = Date.now();
    assert.deepEqual((await store.listClaimable(now, 10)).map((e) => e.id), ["free", "expired", "free-later"]);
    assert.deepEqual((await store.listClaimable(now, 2)).map((e) => e.id), ["free", "expired"]);
    assert.deepEqual((await store.listClaimable(now + 120_000, 10)).map((e) => e.id), ["held", "free", "expired", "free-later"], "every lease is over by then");
    assert.deepEqual((await store.listClaimable(now, 1))[0], execution("free", { createdAt: 2 }));
  }));

  it("starts a fenced attempt only while the execution is leased to that replica", withStore(open, async (store) => {
    await store.createExecution(execution("e1"), [node("e1", "a")]);
    const lost = await assertStoreError(() => store.startAttempt(attempt("e1", "a", 1), { replicaId: "r1" }), "LEASE_LOST", "execution e1", "replica r1");
    assert.ok(lost instanceof LeaseLostError);
    await store.claimExecution("e1", "r2", 60_000);
    await assertStoreError(() => store.startAttempt(attempt("e1", "a", 1), { replicaId: "r1" }), "LEASE_LOST");
    assert.deepEqual(await store.listAttempts("e1"), [], "a refused attempt leaves nothing");
    assert.equal((await store.getNode("e1", "a"))?.status, "pending");
    await store.startAttempt(attempt("e1", "a", 1), { replicaId: "r2" });
    await store.finishAttempt(ref("a", 1), { status: "failed", endedAt: 130 });
    await store.claimExecution("e1", "r2", -1);
    await assertStoreError(() => store.startAttempt(attempt("e1", "a", 2), { replicaId: "r2" }), "LEASE_LOST"); // a lease that ran out fences too
    await store.startAttempt(attempt("e1", "a", 2));
    assert.deepEqual((await store.listAttempts("e1")).map((a) => a.attempt), [1, 2], "without a fence, no lease is needed");
  }));

  it("keeps the first report of an attempt: the same again is accepted, a different one refused", withStore(open, async (store) => {
    await store.createExecution(execution("e1"), [node("e1", "a"), node("e1", "b")]);
    await store.startAttempt(attempt("e1", "a", 1));
    await store.startAttempt(attempt("e1", "b", 1));
    assert.equal(await store.getAttemptReport(ref("a", 1)), undefined);
    const output: JobResult = { ok: true, output: { model: { $file: { digest: "sha256:1", name: "m", size: 2 } }, score: 0.5 } };
    assert.equal(await store.saveAttemptReport(ref("a", 1), output), true);
    assert.deepEqual(await store.getAttemptReport(ref("a", 1)), output);
    const reordered: JobResult = { output: { score: 0.5, model: { $file: { size: 2, name: "m", digest: "sha256:1" } } }, ok: true };
    assert.equal(await store.saveAttemptReport(ref("a", 1), reordered), true, "the same report, however its keys are ordered");
    assert.equal(await store.saveAttemptReport(ref("a", 1), { ok: true, output: 1 }), false);
    assert.deepEqual(await store.getAttemptReport(ref("a", 1)), output);
    const failure: JobResult = { ok: false, error: { code: "OOM", kind: "system", message: "killed" } };
    assert.equal(await store.saveAttemptReport(ref("b", 1), failure), true);
    assert.deepEqual(await store.getAttemptReport(ref("b", 1)), failure);
    await assertStoreError(() => store.saveAttemptReport(ref("a", 7), output), "STORE_NOT_FOUND", "attempt 7 of node a");
  }));

  it("keeps runner tokens by hash, lists the live ones oldest first, and revokes them", withStore(open, async (store) => {
    const token = (id: string, createdAt: number, project?: string) => ({
      id,
      hash: id.repeat(64).slice(0, 64),
      scope: project ? { kind: "project" as const, project } : { kind: "admin" as const },
      description: `token ${id}`,
      createdAt,
    });
    await store.insertToken(token("b", 2, "fraud"));
    await store.insertToken(token("a", 1));
    await store.insertToken(token("c", 2));
    assert.deepEqual(await store.listTokens(), [token("a", 1), token("b", 2, "fraud"), token("c", 2)]);
    await store.revokeToken("b", 50);
    await store.revokeToken("b", 60);
    assert.deepEqual((await store.listTokens()).map((t) => t.id), ["a", "c"]);
    await assertStoreError(() => store.revokeToken("nope"), "STORE_NOT_FOUND", "runner token nope");
    await assertStoreError(() => store.insertToken({ ...token("d", 3), hash: token("a", 1).hash }), "STORE_CONSTRAINT", "runner token d");
  }));

  it("makes a named secret once; later and concurrent callers get the same bytes", withStore(open, async (store) => {
    let made = 0;
    const create = () => {
      made++;
      return Buffer.from(`secret-${made}-${Math.random()}`);
    };
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => store.getOrCreateSecret("attempt-tokens", create)));
    assert.ok(concurrent.every((secret) => secret.equals(concurrent[0]!)), "every concurrent caller agrees");
    const later = await store.getOrCreateSecret("attempt-tokens", () => assert.fail("an existing secret is not made again"));
    assert.ok(later.equals(concurrent[0]!));
    const other = await store.getOrCreateSecret("other", () => Buffer.from([0, 1, 2, 255]));
    assert.deepEqual([...other], [0, 1, 2, 255]);
  }));
}
