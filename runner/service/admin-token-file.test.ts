import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openSqliteStore } from "../store/sqlite-store.ts";
import { ensureAdminToken } from "./admin-token-file.ts";
import { findToken, generateToken, issueToken } from "./tokens.ts";

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "aloft-token-file-"));
  return { database: join(dir, ".aloft/state.db"), tokenFile: join(dir, ".aloft/runner-token") };
}

describe("the admin token file", () => {
  it("is created on first start with mode 0600, holding an admin token the store knows by hash", async () => {
    const { database, tokenFile } = workspace();
    const store = openSqliteStore(database);
    try {
      const outcome = await ensureAdminToken(store, tokenFile);
      assert.equal(outcome.kind, "created");
      assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
      const token = readFileSync(tokenFile, "utf8").trim();
      assert.match(token, /^aloft-token\.[A-Za-z0-9_-]{43}$/);
      assert.deepEqual((await findToken(store, token))?.scope, { kind: "admin" });
      for (const file of [database, `${database}-wal`]) {
        if (existsSync(file)) assert.ok(!readFileSync(file).includes(token), `${file} must not hold the token itself`);
      }
    } finally {
      await store.close();
    }
  });

  it("is reused by later starts, over a reopened database", async () => {
    const { database, tokenFile } = workspace();
    let store = openSqliteStore(database);
    const first = await ensureAdminToken(store, tokenFile);
    const token = readFileSync(tokenFile, "utf8");
    await store.close();
    store = openSqliteStore(database);
    try {
      const second = await ensureAdminToken(store, tokenFile);
      assert.deepEqual(second, { kind: "reused", path: tokenFile, tokenId: first.tokenId, tightenedMode: false });
      assert.equal(readFileSync(tokenFile, "utf8"), token);
      assert.equal((await store.listTokens()).length, 1);
    } finally {
      await store.close();
    }
  });

  it("gets its mode tightened to 0600 when someone loosened it", async () => {
    const { database, tokenFile } = workspace();
    const store = openSqliteStore(database);
    try {
      await ensureAdminToken(store, tokenFile);
      chmodSync(tokenFile, 0o644);
      const outcome = await ensureAdminToken(store, tokenFile);
      assert.equal(outcome.kind === "reused" && outcome.tightenedMode, true);
      assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    } finally {
      await store.close();
    }
  });

  it("is replaced when it holds a token the database does not know, or a project token", async () => {
    const { database, tokenFile } = workspace();
    const store = openSqliteStore(database);
    try {
      await ensureAdminToken(store, tokenFile);
      const unknown = generateToken();
      writeFileSync(tokenFile, unknown);
      const outcome = await ensureAdminToken(store, tokenFile);
      assert.equal(outcome.kind === "created" && outcome.replaced, true);
      assert.notEqual(readFileSync(tokenFile, "utf8").trim(), unknown);

      const project = await issueToken(store, { kind: "project", project: "fraud" }, "fraud team");
      writeFileSync(tokenFile, project.token);
      assert.equal((await ensureAdminToken(store, tokenFile)).kind, "created");
      assert.equal((await findToken(store, readFileSync(tokenFile, "utf8").trim()))?.scope.kind, "admin");
    } finally {
      await store.close();
    }
  });
});
