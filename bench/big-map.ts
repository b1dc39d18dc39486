// One map of 100,000 items (Flyte caps a map at 5,000): its wall time and the
// runner process's peak memory (workers are separate processes).
//
//   npm run bench -- big-map [--items 100000] [--workers 2]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalRunner } from "../runner/local-runner.ts";
import { workspaceAt } from "../runner/workspace.ts";
import { arg, report } from "./stats.ts";

const items = arg("items", 100_000);
const workers = arg("workers", 2);
const dir = mkdtempSync(join(tmpdir(), "aloft-bench-"));
const runner = new LocalRunner(workspaceAt(dir));
const prepared = await runner.prepare(join(import.meta.dirname, "fixtures/trivial.ts"));

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const start = performance.now();
const record = await runner.run(prepared, "mapInc", { n: items }, { workers });
const ms = performance.now() - start;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
if (record.status !== "succeeded") throw new Error(`map failed: ${record.error?.message}`);
if ((record.outputs as number[]).length !== items) throw new Error("wrong output length");
await runner.close();
rmSync(dir, { recursive: true, force: true });

report(`one map of ${items} items, ${workers} workers`, [
  ["wall time", `${(ms / 1000).toFixed(1)} s`],
  ["throughput", `${Math.round(items / (ms / 1000))} tasks/s`],
  ["runner peak RSS", `${Math.round(peakRss / 1024 / 1024)} MB (target < 500 MB)`],
]);
