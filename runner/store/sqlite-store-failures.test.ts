import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { closeSync, mkdirSync, openSync, statSync, writeFileSync, writeSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { openSqliteStore } from "./sqlite-store.ts";
import { SCHEMA_VERSION } from "./sqlite-schema.ts";
import { assertStoreError, execution, node } from "./store-test-support.ts";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const fixture = fileURLToPath(new URL("./fixtures/write-then-kill.ts", import.meta.url));

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "aloft-sqlite-failures-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

let cases = 0;
const dbPath = () => join(dir, `case-${++cases}`, "state.db");

function run(args: string[]): Promise<{ stdout: string; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (_code, signal) => resolve({ stdout, signal, stderr }));
  });
}

/** A second process that holds `BEGIN EXCLUSIVE` on the database until its stdin closes. */
async function holdLock(path: string, setup = ""): Promise<ChildProcessWithoutNullStreams> {
  const code = `
    const db = new (require("better-sqlite3"))(process.argv[1]);
    ${setup}
    db.exec("BEGIN EXCLUSIVE");
    db.exec("CREATE TABLE held (x)");
    process.stdout.write("locked\\n");
    process.stdin.on("data", () => {});
    process.stdin.on("end", () => { db.exec("ROLLBACK"); db.close(); });`;
  const child = spawn(process.execPath, ["-e", code, path], { cwd: repoRoot });
  await new Promise<void>((resolve, reject) => {
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.on("data", (chunk) => String(chunk).includes("locked") && resolve());
    child.on("exit", (code) => reject(new Error(`lock holder exited with ${code}: ${stderr}`)));
  });
  return child;
}

async function release(child: ChildProcessWithoutNullStreams): Promise<void> {
  const exited = new Promise((resolve) => child.on("exit", resolve));
  child.stdin.end();
  await exited;
}

describe("SqliteStore failures", () => {
  it("keeps every write that returned when the process is killed with SIGKILL, and none of an open transaction", async () => {
    const path = dbPath();
    const count = 400;
    const { stdout, signal, stderr } = await run(["--import", "tsx", fixture, path, String(count)]);
    assert.equal(signal, "SIGKILL", stderr);
    const acknowledged = stdout.trim().split("\n");
    assert.equal(acknowledged.at(-1), "killing");
    assert.equal(acknowledged.length, 2 + 4 * count);

    const store = openSqliteStore(path);
    const nodes = await store.listNodes("e1");
    assert.equal((await store.getExecution("e1"))?.status, "running", "the killed transaction's update is not there");
    assert.deepEqual(nodes.map((n) => n.id), Array.from({ length: count }, (_, i) => `n${i}`));
    for (const [i, n] of nodes.entries()) {
      assert.equal(n.status, "succeeded");
      assert.equal(n.outputs, i);
      assert.equal(n.attempts, 1);
      assert.equal(n.endedAt, i + 1);
      assert.deepEqual((await store.listAttempts("e1", n.id)).map((a) => a.status), ["running"]);
      assert.equal((await store.getCached(`k${i}`))?.outputs, i);
    }
    await store.close();
  });

  it("refuses a file that is not a SQLite database with STORE_CORRUPT, naming it", async () => {
    const path = dbPath();
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, "name,amount\nalice,3\n".repeat(400));
    await assertStoreError(() => openSqliteStore(path), "STORE_CORRUPT", path, "move it aside");
  });

  it("reports damaged pages as STORE_CORRUPT when they are read", async () => {
    const path = dbPath();
    const store = openSqliteStore(path);
    await store.createExecution(execution("e1"));
    await store.insertNodes(Array.from({ length: 200 }, (_, i) => node("e1", `n${i}`, { inputs: { text: "y".repeat(500) } })));
    await store.close();
    const pageSize = 4096;
    const fd = openSync(path, "r+");
    const garbage = Buffer.alloc(statSync(path).size - 2 * pageSize, 0xa5);
    writeSync(fd, garbage, 0, garbage.length, 2 * pageSize);
    closeSync(fd);
    await assertStoreError(async () => {
      const reopened = openSqliteStore(path);
      try {
        await reopened.listNodes("e1");
      } finally {
        await reopened.close();
      }
    }, "STORE_CORRUPT", path);
  });

  it("waits for a lock held by another process, then fails writes with STORE_LOCKED; reads still work", async () => {
    const path = dbPath();
    const setup = openSqliteStore(path);
    await setup.createExecution(execution("e1"));
    await setup.close();
    const holder = await holdLock(path);
    try {
      const store = openSqliteStore(path, { busyTimeoutMs: 50 });
      assert.equal((await store.getExecution("e1"))?.status, "running");
      await assertStoreError(() => store.createExecution(execution("e2")), "STORE_LOCKED", path);
      await assertStoreError(() => store.updateExecution("e1", { status: "failed" }), "STORE_LOCKED", path);
      await assertStoreError(() => store.finishExecution("e1", { status: "failed", endedAt: 1 }), "STORE_LOCKED", path);
      await store.close();
    } finally {
      await release(holder);
    }
    const after = openSqliteStore(path);
    await after.createExecution(execution("e2"));
    assert.equal((await after.listExecutions()).length, 2);
    await after.close();
  });

  it("fails to open with STORE_LOCKED while another process holds a new database exclusively", async () => {
    const path = dbPath();
    mkdirSync(join(path, ".."), { recursive: true });
    const holder = await holdLock(path);
    try {
      await assertStoreError(() => openSqliteStore(path, { busyTimeoutMs: 50 }), "STORE_LOCKED", path);
    } finally {
      await release(holder);
    }
  });

  it("refuses a database written by a newer aloft", async () => {
    const path = dbPath();
    await openSqliteStore(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    await assertStoreError(() => openSqliteStore(path), "STORE_TOO_NEW", path, `schema version ${SCHEMA_VERSION + 1}`, "upgrade aloft");
  });

  it("refuses a SQLite database that aloft did not create", async () => {
    const path = dbPath();
    mkdirSync(join(path, ".."), { recursive: true });
    const raw = new Database(path);
    raw.exec("CREATE TABLE executions (id TEXT)");
    raw.close();
    await assertStoreError(() => openSqliteStore(path), "STORE_NOT_ALOFT", path);
  });

  it("reports STORE_UNWRITABLE when the folder cannot be created or the path is a folder", async () => {
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "");
    const path = join(blocker, "state", "state.db");
    await assertStoreError(() => openSqliteStore(path), "STORE_UNWRITABLE", path);
    const folder = join(dir, "a-folder");
    mkdirSync(folder);
    await assertStoreError(() => openSqliteStore(folder), "STORE_UNWRITABLE", folder);
  });
});
