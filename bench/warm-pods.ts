// Scheduling overhead of a map of near-instant tasks on Kubernetes (the API
// simulator, pods starting 2 s after they are created), side by side in one run:
//   (a) one pod per task
//   (b) warm worker pods, the pool started by this run (its pods' start included)
//   (c) warm worker pods, the pool already up (a second map while its pods idle)
// Each run goes through the CLI and the runner as a user's would. Its fixed
// costs (check, bundle, trace, submit, follow) are measured by the same map
// over no items, and the overhead is what a map of N items takes beyond that.
// Kubernetes API requests are counted by the simulator.
//
//   npm run bench -- warm-pods [--items 500] [--repeats 3] [--latency 2000]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeSimulator } from "../test/kube-sim/simulator.ts";
import { aloftAsync, startRunner } from "../test/remote/runner-process.ts";
import { arg, commandLine, median, report } from "./stats.ts";

const items = arg("items", 500);
const repeats = arg("repeats", 3);
const latency = arg("latency", 2000);
const fixture = join(import.meta.dirname, "fixtures/warm-map.ts");

const client = mkdtempSync(join(tmpdir(), "aloft-bench-warm-"));
const sim = await KubeSimulator.start({ podStartLatencyMs: latency });
const kubeconfig = join(client, "kubeconfig");
sim.writeKubeconfig(kubeconfig);
const runner = await startRunner({ args: ["--kubeconfig", kubeconfig] });

interface Measured {
  ms: number;
  requests: number;
  podsCreated: number;
}

async function mapRun(entity: string, n: number): Promise<Measured> {
  const xs = Array.from({ length: n }, (_, i) => i);
  sim.resetCounts();
  const start = performance.now();
  const result = await aloftAsync(client, ["run", "--remote", "--json", "--runner", runner.url, "--token", runner.token, fixture, entity, "--xs", JSON.stringify(xs)]);
  const ms = performance.now() - start;
  if (result.code !== 0) throw new Error(`${entity} over ${n} items failed:\n${result.stdout}\n${result.stderr}\n--- runner\n${runner.output().slice(-4000)}`);
  const outputs = (JSON.parse(result.stdout) as { outputs: number[] }).outputs;
  if (outputs.length !== n || outputs.some((y, i) => y !== i + 1)) throw new Error(`${entity}: wrong outputs`);
  const counts = sim.counts();
  return { ms, requests: counts.total, podsCreated: counts.byRoute["create pods"] ?? 0 };
}

try {
  const empty: number[] = [];
  const warmStarted: Measured[] = [];
  const warmUp: Measured[] = [];
  for (let r = 0; r < repeats; r++) {
    empty.push((await mapRun("warmMap", 0)).ms);
    if (r === 0) warmStarted.push(await mapRun("warmMap", items));
    warmUp.push(await mapRun("warmMap", items));
  }
  // Slow (every task waits for its own pod): one sample.
  const perPod = await mapRun("coldMap", items);
  const fixed = median(empty);
  const overhead = (m: Measured) => Math.max(m.ms - fixed, 1e-3);
  const a = overhead(perPod);
  const b = median(warmStarted.map(overhead));
  const c = median(warmUp.map(overhead));
  const perTask = (ms: number) => `${(ms / items).toFixed(2)} ms/task`;
  const perRequest = (m: Measured) => `${(m.requests / items).toFixed(3)} API requests/task`;
  const cMedian = warmUp.slice().sort((x, y) => overhead(x) - overhead(y))[Math.floor(warmUp.length / 2)]!;
  report(`map of ${items} near-instant tasks on the Kubernetes simulator, pod start latency ${latency} ms (${commandLine()}); fixed costs (map of 0 items) ${fixed.toFixed(0)} ms, subtracted`, [
    ["(a) one pod per task", `${(a / 1000).toFixed(2)} s`, perTask(a), perRequest(perPod), `${perPod.podsCreated} pods`],
    ["(b) warm pods, pool started by the run", `${(b / 1000).toFixed(2)} s`, perTask(b), perRequest(warmStarted[0]!), `${warmStarted[0]!.podsCreated} pods`],
    [`(c) warm pods, pool up (median of ${repeats})`, `${(c / 1000).toFixed(2)} s`, perTask(c), perRequest(cMedian), `${cMedian.podsCreated} pods`],
  ]);
  console.log(`saving with warm pods: ${(100 * (1 - b / a)).toFixed(1)}% less overhead than one pod per task with the pool started by the run (b), ${(100 * (1 - c / a)).toFixed(1)}% with it up (c); target ≥ 96%`);
  console.log(`orchestration overhead per task on warm pods: ${(c / items).toFixed(2)} ms (c), ${(b / items).toFixed(2)} ms including the pool's start (b); one pod per task: ${(a / items).toFixed(1)} ms`);
} finally {
  await runner.stop();
  await sim.stop();
  rmSync(client, { recursive: true, force: true });
}
