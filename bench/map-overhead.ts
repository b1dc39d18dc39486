// Per-task overhead of a map over a near-instant task, side by side in one run:
//   (a) aloft, warm worker processes
//   (b) one fresh `node` process per task (the pod-per-task way)
//   (c) a plain in-process Promise.all (the floor)
//   (d) the same map as (a), fully cached
// Each is run several times; medians are reported, with ratios against (b)
// and (c) measured in this same process, so a busy machine skews all alike.
// An aloft run has fixed costs (starting the warm pool, tracing the workflow,
// running the task that makes the list); the same map over 0 items, run in
// between, measures them, and the per-task figures are the difference
// spread over the items. The end-to-end wall times are printed too.
//
//   npm run bench -- map-overhead [--items 2000] [--repeats 5] [--spawns 200]
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { LocalRunner } from "../runner/local-runner.ts";
import { workspaceAt } from "../runner/workspace.ts";
import { arg, median, report } from "./stats.ts";

const run = promisify(execFile);
const items = arg("items", 2000);
const repeats = arg("repeats", 5);
const spawns = arg("spawns", 200);
const workers = arg("workers", 2);
const fixture = join(import.meta.dirname, "fixtures/trivial.ts");
const onePerProcess = join(import.meta.dirname, "fixtures/one-task.mjs");

const dir = mkdtempSync(join(tmpdir(), "aloft-bench-"));
const runner = new LocalRunner(workspaceAt(dir));
const prepared = await runner.prepare(fixture);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function aloftMap(entity: string, n = items): Promise<number> {
  return timed(async () => {
    const record = await runner.run(prepared, entity, { n }, { workers });
    if (record.status !== "succeeded") throw new Error(`${entity} ${record.status}: ${record.error?.message}`);
    if ((record.outputs as number[]).length !== n) throw new Error("wrong output length");
  });
}

async function processPerTask(): Promise<number> {
  let next = 0;
  const one = async () => {
    while (next < spawns) {
      const x = next++;
      const { stdout } = await run(process.execPath, [onePerProcess, prepared.bundle.path, String(x)]);
      if (Number(stdout) !== x + 1) throw new Error(`process ${x} returned ${stdout}`);
    }
  };
  const ms = await timed(() => Promise.all(Array.from({ length: workers }, one)));
  return (ms / spawns) * items; // scaled to the same number of tasks
}

async function inProcess(): Promise<number> {
  const module = (await import(prepared.bundle.path)) as Record<string, unknown>;
  const fn = (module.inc as Record<symbol, { fn: (i: { x: number }) => Promise<number> }>)[Symbol.for("aloft.entity")]!.fn;
  return timed(() => Promise.all(Array.from({ length: items }, (_, x) => fn({ x }))));
}

const samples = { warm: [] as number[], fresh: [] as number[], plain: [] as number[], cached: [] as number[], empty: [] as number[], warmWall: [] as number[], cachedWall: [] as number[] };
await aloftMap("mapIncCached"); // fills the cache for (d)
for (let r = 0; r < repeats; r++) {
  const empty = await aloftMap("mapInc", 0);
  const warmWall = await aloftMap("mapInc");
  const cachedWall = await aloftMap("mapIncCached");
  samples.empty.push(empty);
  samples.warmWall.push(warmWall);
  samples.cachedWall.push(cachedWall);
  samples.warm.push(Math.max(warmWall - empty, 1e-3));
  samples.cached.push(Math.max(cachedWall - empty, 1e-3));
  samples.plain.push(await inProcess());
  if (r < 2) samples.fresh.push(await processPerTask()); // slow: two samples suffice
}
await runner.close();
rmSync(dir, { recursive: true, force: true });

const perTask = (ms: number) => (ms / items) * 1000; // microseconds
const warm = median(samples.warm);
const fresh = median(samples.fresh);
const plain = median(samples.plain);
const cached = median(samples.cached);
report(`map of ${items} near-instant tasks, ${workers} workers, median of ${repeats} runs (process-per-task: ${spawns} processes, scaled)`, [
  ["(a) aloft, warm workers", `${perTask(warm).toFixed(1)} µs/task`, `${Math.round(items / (warm / 1000))} tasks/s`],
  ["(b) fresh process per task", `${perTask(fresh).toFixed(1)} µs/task`, `${Math.round(items / (fresh / 1000))} tasks/s`],
  ["(c) in-process Promise.all", `${perTask(plain).toFixed(2)} µs/task`, `${Math.round(items / (plain / 1000))} tasks/s`],
  ["(d) aloft, fully cached", `${perTask(cached).toFixed(1)} µs/task`, `${Math.round(items / (cached / 1000))} tasks/s`],
]);
console.log(`(b)/(a): ${(fresh / warm).toFixed(1)}× faster with warm workers (target ≥ 20×)`);
console.log(`(a) uncached: ${Math.round(items / (warm / 1000))} tasks/s (target ≥ 2,000); (d) cached: ${Math.round(items / (cached / 1000))} tasks/s (target ≥ 20,000)`);
console.log(`(a) overhead over (c): ${(perTask(warm) - perTask(plain)).toFixed(1)} µs/task`);
console.log(
  `end to end (fixed costs included): map of 0 items ${median(samples.empty).toFixed(0)} ms, (a) ${median(samples.warmWall).toFixed(0)} ms, (d) ${median(samples.cachedWall).toFixed(0)} ms`,
);
