import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openSqliteStore } from "../store/sqlite-store.ts";
import { findToken, generateToken, hashToken, issueToken, TOKEN_BYTES, TOKEN_PREFIX } from "./tokens.ts";

describe("runner tokens", () => {
  it("are aloft-token. and 32 random bytes in base64url, different each time", async () => {
    const a = generateToken();
    const b = generateToken();
    assert.match(a, /^aloft-token\.[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a.slice(TOKEN_PREFIX.length), "base64url").length, TOKEN_BYTES);
    assert.notEqual(a, b);
  });

  it("hash to the hex SHA-256 of their text", async () => {
    assert.equal(hashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("are stored as hashes with their scope, and found by the token alone", async () => {
    const store = openSqliteStore(":memory:");
    try {
      const admin = await issueToken(store, { kind: "admin" }, "admin of the test");
      const project = await issueToken(store, { kind: "project", project: "fraud" }, "fraud team");
      const stored = await store.listTokens();
      assert.deepEqual(stored.map((t) => t.scope), [{ kind: "admin" }, { kind: "project", project: "fraud" }]);
      assert.ok(stored.every((t) => t.hash !== admin.token && t.hash !== project.token && /^[0-9a-f]{64}$/.test(t.hash)));
      assert.equal((await findToken(store, admin.token))?.id, admin.record.id);
      assert.deepEqual((await findToken(store, project.token))?.scope, { kind: "project", project: "fraud" });
      assert.equal(await findToken(store, generateToken()), undefined);
      assert.equal(await findToken(store, admin.token.slice(0, -1)), undefined);
    } finally {
      await store.close();
    }
  });

  it("issued before tokens had their prefix are still found", async () => {
    const store = openSqliteStore(":memory:");
    try {
      const unprefixed = generateToken().slice(TOKEN_PREFIX.length);
      await store.insertToken({ id: "t0", hash: hashToken(unprefixed), scope: { kind: "admin" }, description: "from an older runner", createdAt: 1 });
      assert.equal((await findToken(store, unprefixed))?.id, "t0");
    } finally {
      await store.close();
    }
  });

  it("are not found once revoked", async () => {
    const store = openSqliteStore(":memory:");
    try {
      const token = generateToken();
      await store.insertToken({ id: "t1", hash: hashToken(token), scope: { kind: "admin" }, description: "old", createdAt: 1, revokedAt: 2 });
      assert.equal(await findToken(store, token), undefined);
      assert.deepEqual(await store.listTokens(), []);
    } finally {
      await store.close();
    }
  });
});
