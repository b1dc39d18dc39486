// Where aloft's checker spends its time: checks run in this process (as
// `aloft check` or the language server run them) under V8's sampling profiler,
// with every request to tsgo timed. Samples are grouped by what `readEntities`
// was doing (the function it had called), and split into time blocked on tsgo
// (inside a request) and time in our own code.
import { Session } from "node:inspector/promises";
import { basename } from "node:path";
import { TsgoConnection, type SentRequest } from "../compiler/tsgo-connection.ts";
import { checkFiles } from "../compiler/check-files.ts";
import { workflowFiles } from "../runner/cli/check-command.ts";
import { report } from "./stats.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Per item checked (a file, an edit): its wall time. */
export type CheckTimes = number[];

/**
 * Runs `work` (checks made with the compiler in this process) under the
 * profiler, with every request to tsgo timed (from the moment we wait for
 * its answer: a request answered in the background costs only what is left
 * of it then), and prints where the time went.
 */
export async function profileChecker(title: string, work: () => CheckTimes): Promise<CheckTimes> {
  const requests = new Map<string, { count: number; ms: number }>();
  const connection = TsgoConnection.prototype;
  const { receive } = connection;
  connection.receive = function (this: TsgoConnection, sent: SentRequest) {
    const start = performance.now();
    try {
      return receive.call(this, sent);
    } finally {
      const entry = requests.get(sent.method) ?? { count: 0, ms: 0 };
      entry.count++;
      entry.ms += performance.now() - start;
      requests.set(sent.method, entry);
    }
  };

  const inspector = new Session();
  inspector.connect();
  await inspector.post("Profiler.enable");
  await inspector.post("Profiler.setSamplingInterval", { interval: 200 });
  await inspector.post("Profiler.start");
  const start = performance.now();
  let times: CheckTimes;
  try {
    times = work();
  } finally {
    connection.receive = receive;
  }
  const total = performance.now() - start;
  const { profile } = (await inspector.post("Profiler.stop")) as { profile: Profile };
  inspector.disconnect();

  const phases = samplesByPhase(profile);
  const sampled = [...phases.values()].reduce((a, p) => a + p.total, 0);
  const sorted = [...phases.entries()].sort((a, b) => b[1].total - a[1].total);
  const rows = sorted.filter(([, p]) => p.total >= sampled / 200);
  const small = sorted.filter(([, p]) => p.total < sampled / 200);
  if (small.length) {
    rows.push([`${small.length} more, each under 0.5%`, small.reduce((a, [, p]) => ({ total: a.total + p.total, waiting: a.waiting + p.waiting }), { total: 0, waiting: 0 })]);
  }
  report(`${title}: by phase (V8 samples, ${(sampled / 1000).toFixed(0)} ms sampled of ${total.toFixed(0)} ms): what readEntities had called, and how much of it was blocked on tsgo`, [
    ["phase", "time", "share", "blocked on tsgo", "own code"],
    ...rows.map(([name, p]) => [name, `${(p.total / 1000).toFixed(0)} ms`, `${((100 * p.total) / sampled).toFixed(1)}%`, `${(p.waiting / 1000).toFixed(0)} ms`, `${((p.total - p.waiting) / 1000).toFixed(0)} ms`]),
  ]);

  const byMethod = [...requests.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const requestMs = byMethod.reduce((a, [, r]) => a + r.ms, 0);
  const requestCount = byMethod.reduce((a, [, r]) => a + r.count, 0);
  report(`${title}: requests to tsgo, ${requestCount} answers waited for, ${requestMs.toFixed(0)} ms (${((100 * requestMs) / total).toFixed(0)}% of the time)`, [
    ["method", "count", "total", "mean"],
    ...byMethod.map(([method, r]) => [method, String(r.count), `${r.ms.toFixed(0)} ms`, `${((1000 * r.ms) / r.count).toFixed(0)} µs`]),
  ]);
  return times;
}

/** `aloft check DIR`'s work, as `checkFiles` does it: one session, all files read together. */
export async function profileCheck(dir: string): Promise<void> {
  const files = workflowFiles([dir]);
  let errors = 0;
  await profileChecker(`aloft check of ${files.length} files in this process`, () => {
    const start = performance.now();
    errors += checkFiles(files, { cwd: dir }).filter((d) => d.severity === "error").length;
    return [performance.now() - start];
  });
  if (errors) throw new Error(`the profiled check found ${errors} error(s); the timed runs found none`);
}

/** The function that reads a batch of files: phases are what it called. */
const ROOT = "readEntitiesOfFiles";
/** Phases big enough to be told apart by what they called in turn. */
const DETAILED = new Set(["openAll", "readOpenedFile", "read"]);
/** Frames that only pass the call on. */
const PASSING = new Set(["", "(anonymous)", "map", "forEach"]);

/**
 * Sample time (µs) per phase. A phase is the function `readEntitiesOfFiles`
 * was calling (and, inside the DETAILED ones, the one that was calling), or
 * what ran outside it altogether.
 */
function samplesByPhase(profile: Profile): Map<string, { total: number; waiting: number }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const stackOf = (id: number): ProfileNode[] => {
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.unshift(byId.get(at)!);
    return stack;
  };
  const label = (n: ProfileNode | undefined) =>
    n ? `${n.callFrame.functionName || "(anonymous)"} (${basename(n.callFrame.url) || "native"})` : `${ROOT} itself`;
  const cache = new Map<number, { phase: string; waiting: boolean }>();
  const phases = new Map<string, { total: number; waiting: number }>();
  profile.samples.forEach((id, i) => {
    let known = cache.get(id);
    if (!known) {
      const stack = stackOf(id);
      const waiting = stack.some((n) => n.callFrame.functionName === "receive" && n.callFrame.url.endsWith("tsgo-connection.ts"));
      const at = stack.findIndex((n) => n.callFrame.functionName === ROOT);
      let phase: string;
      if (at < 0) {
        const leaf = stack[stack.length - 1]!.callFrame.functionName;
        phase = waiting ? `outside ${ROOT}, blocked on tsgo` : leaf === "(idle)" || leaf === "(program)" || leaf === "(garbage collector)" ? leaf : `outside ${ROOT}`;
      } else {
        const below = stack.slice(at + 1).filter((n) => !PASSING.has(n.callFrame.functionName));
        const called = below[0];
        phase = label(called);
        if (DETAILED.has(called?.callFrame.functionName ?? "")) phase += ` → ${label(below[1])}`;
      }
      known = { phase, waiting };
      cache.set(id, known);
    }
    const entry = phases.get(known.phase) ?? { total: 0, waiting: 0 };
    const delta = profile.timeDeltas[i] ?? 0;
    entry.total += delta;
    if (known.waiting) entry.waiting += delta;
    phases.set(known.phase, entry);
  });
  return phases;
}
