/**
 * Run by hand (not a test): rates of the state store's hot paths.
 *   node --import tsx runner/store/throughput-probe.ts [NODES] [DB]
 * DB: a SQLite path (default: a temporary file) or a postgres:// URL.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "./open-store.ts";
import type { NodeRecord } from "./state-store.ts";

const count = Number(process.argv[2] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), "aloft-store-probe-"));
const store = await openStore(process.argv[3] ?? join(dir, "state.db"));
const run = Date.now().toString(36);

async function measure(label: string, operations: number, unit: string, body: () => Promise<void>): Promise<void> {
  const start = process.hrtime.bigint();
  await body();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label.padEnd(58)} ${Math.round(operations / seconds).toLocaleString("en").padStart(9)} ${unit}/s  (${seconds.toFixed(2)} s)`);
}

const inputs = { rows: [1, 2, 3], file: { $file: { digest: `sha256:${"a".repeat(64)}`, name: "train.csv", size: 1234 } } };
const nodes = (execution: string): NodeRecord[] =>
  Array.from({ length: count }, (_, i) => ({ executionId: execution, id: `squares[${i}]`, parentId: "squares", entity: "square", kind: "item", status: "pending", cached: false, attempts: 0, inputs }));

const [tasks, cached] = [`tasks-${run}`, `cached-${run}`];
for (const id of [tasks, cached]) {
  await store.createExecution({ id, project: "default", domain: "development", file: "/f.ts", entity: "flow", kind: "workflow", bundleHash: "h", bundlePath: "/b.mjs", interfaces: {}, status: "running", inputs: {}, createdAt: Date.now() });
}

await measure("insertNodes, one batch", count, "nodes", () => store.insertNodes(nodes(tasks)));
await store.insertNodes(nodes(cached));

await measure("task: startAttempt, then finishAttempt with node and cache", count, "tasks", async () => {
  for (let i = 0; i < count; i++) {
    const ref = { executionId: tasks, nodeId: `squares[${i}]`, attempt: 1 };
    await store.startAttempt({ ...ref, status: "running", logPath: `/logs/${i}.log`, startedAt: i });
    await store.finishAttempt(ref, { status: "succeeded", endedAt: i + 1 }, {
      node: { status: "succeeded", outputs: i * i, endedAt: i + 1 },
      cache: { key: `key-${run}-${i}`, entity: "square", outputs: i * i, executionId: tasks, nodeId: ref.nodeId, createdAt: i },
    });
  }
});

await measure("cached node: getCached, updateNodes in batches of 1000", count, "nodes", async () => {
  for (let batch = 0; batch < count; batch += 1000) {
    const indexes = Array.from({ length: Math.min(1000, count - batch) }, (_, k) => batch + k);
    const hits = await Promise.all(indexes.map((i) => store.getCached(`key-${run}-${i}`)));
    await store.updateNodes(cached, indexes.map((i, k) => ({ nodeId: `squares[${i}]`, patch: { status: "succeeded", outputs: hits[k]!.outputs, cached: true, cacheKey: hits[k]!.key, startedAt: i, endedAt: i } })));
  }
});

await measure("listNodes of one execution", count, "nodes", async () => void (await store.listNodes(cached)));
await store.close();
rmSync(dir, { recursive: true, force: true });
