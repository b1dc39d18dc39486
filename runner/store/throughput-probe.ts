/**
 * Run by hand (not a test): rates of the SQLite state store's hot paths.
 *   node --import tsx runner/store/throughput-probe.ts [NODES]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openSqliteStore } from "./sqlite-store.ts";
import type { NodeRecord } from "./state-store.ts";

const count = Number(process.argv[2] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), "aloft-store-probe-"));
const path = join(dir, "state.db");
const store = openSqliteStore(path);

function measure(label: string, operations: number, unit: string, body: () => void): void {
  const start = process.hrtime.bigint();
  body();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label.padEnd(58)} ${Math.round(operations / seconds).toLocaleString("en").padStart(9)} ${unit}/s  (${seconds.toFixed(2)} s)`);
}

const inputs = { rows: [1, 2, 3], file: { $file: { digest: `sha256:${"a".repeat(64)}`, name: "train.csv", size: 1234 } } };
const nodes = (execution: string): NodeRecord[] =>
  Array.from({ length: count }, (_, i) => ({ executionId: execution, id: `squares[${i}]`, parentId: "squares", entity: "square", kind: "item", status: "pending", cached: false, attempts: 0, inputs }));

for (const id of ["tasks", "tasks-autocommit", "cached"]) {
  store.createExecution({ id, file: "/f.ts", entity: "flow", kind: "workflow", bundleHash: "h", bundlePath: "/b.mjs", interfaces: {}, status: "running", inputs: {}, createdAt: Date.now() });
}

measure("insertNodes, one batch", count, "nodes", () => store.insertNodes(nodes("tasks")));
store.insertNodes(nodes("tasks-autocommit"));
store.insertNodes(nodes("cached"));

measure("task: 2 transactions (start: node+attempt, end: attempt+node)", count, "tasks", () => {
  for (let i = 0; i < count; i++) {
    const id = `squares[${i}]`;
    store.transaction(() => {
      store.updateNode("tasks", id, { status: "running", attempts: 1, startedAt: i });
      store.startAttempt({ executionId: "tasks", nodeId: id, attempt: 1, status: "running", logPath: `/logs/${id}.log`, startedAt: i });
    });
    store.transaction(() => {
      store.finishAttempt("tasks", id, 1, { status: "succeeded", endedAt: i + 1 });
      store.updateNode("tasks", id, { status: "succeeded", outputs: i * i, endedAt: i + 1 });
    });
  }
});

measure("task: 4 autocommitted writes", count, "tasks", () => {
  for (let i = 0; i < count; i++) {
    const id = `squares[${i}]`;
    store.updateNode("tasks-autocommit", id, { status: "running", attempts: 1, startedAt: i });
    store.startAttempt({ executionId: "tasks-autocommit", nodeId: id, attempt: 1, status: "running", logPath: `/logs/${id}.log`, startedAt: i });
    store.finishAttempt("tasks-autocommit", id, 1, { status: "succeeded", endedAt: i + 1 });
    store.updateNode("tasks-autocommit", id, { status: "succeeded", outputs: i * i, endedAt: i + 1 });
  }
});

for (let i = 0; i < count; i++) store.putCached({ key: `key-${i}`, entity: "square", outputs: i * i, executionId: "tasks", nodeId: `squares[${i}]`, createdAt: i });
measure("cached node: getCached + updateNode, batches of 1000", count, "nodes", () => {
  for (let batch = 0; batch < count; batch += 1000) {
    store.transaction(() => {
      for (let i = batch; i < Math.min(batch + 1000, count); i++) {
        const hit = store.getCached(`key-${i}`)!;
        store.updateNode("cached", `squares[${i}]`, { status: "succeeded", outputs: hit.outputs, cached: true, cacheKey: hit.key, startedAt: i, endedAt: i });
      }
    });
  }
});

measure("listNodes of one execution", count, "nodes", () => store.listNodes("cached"));
store.close();

const size = statSync(path).size;
const raw = new Database(path);
measure(`PRAGMA quick_check (${(size / 1e6).toFixed(1)} MB file)`, size / 1e6, "MB", () => raw.pragma("quick_check"));
raw.close();
rmSync(dir, { recursive: true, force: true });
