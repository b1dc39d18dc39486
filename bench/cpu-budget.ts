// Where the CPU goes in `aloft check`, beside tsc's. When a check keeps every
// core busy, its wall time is its CPU time shared out over the cores, so
// these figures bound the ratio check-vs-tsc measures. Also timed: tsgo
// alone doing only what TypeScript's own errors need (load the project,
// check the whole program), the least any check on tsgo's API can take.
//
// Linux only: CPU times are read from /proc.
import { readdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { checkFiles } from "../compiler/check-files.ts";
import { TsgoConnection } from "../compiler/tsgo-connection.ts";
import { tsgoExecutable } from "../compiler/tsgo-start.ts";
import { workflowFiles } from "../runner/cli/check-command.ts";
import { runProcess } from "./processes.ts";
import { median, report } from "./stats.ts";

const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** user + system CPU of a process (`/proc/PID/stat`), or of the children it has waited for (`cutime` + `cstime` of its own). */
function cpuMs(pid: number | "self", waitedChildren = false): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // Fields after the command name, counted from `state` (field 3): utime is 14, cutime 16.
  const [user, system] = waitedChildren ? [fields[13]!, fields[14]!] : [fields[11]!, fields[12]!];
  return ((Number(user) + Number(system)) * 1000) / ticksPerSecond;
}

/** The tsgo processes this process runs now (started with `--api`). */
function tsgoChildren(): number[] {
  const pids: number[] = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    for (const child of readFileSync(`/proc/${process.pid}/task/${task}/children`, "utf8").trim().split(" ").filter(Boolean)) {
      if (readFileSync(`/proc/${child}/cmdline`, "utf8").split("\0").includes("--api")) pids.push(Number(child));
    }
  }
  return pids;
}

interface Spent {
  wall: number;
  node: number;
  tsgo: number;
}

/** `aloft check`'s work in this process: our own CPU, and tsgo's, read just before the session ends it. */
function aloftCheckCpu(dir: string): Spent {
  const files = workflowFiles([dir]);
  let tsgo = 0;
  const { close } = TsgoConnection.prototype;
  TsgoConnection.prototype.close = function (this: TsgoConnection) {
    for (const pid of tsgoChildren()) tsgo += cpuMs(pid);
    close.call(this);
  };
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  try {
    checkFiles(files, { cwd: dir });
  } finally {
    TsgoConnection.prototype.close = close;
  }
  const wall = performance.now() - start;
  const { user, system } = process.cpuUsage(cpuBefore);
  return { wall, node: (user + system) / 1000, tsgo };
}

/** tsgo started, the project loaded, every file's type errors: nothing aloft adds. */
function tsgoAlone(dir: string): Spent {
  const start = performance.now();
  const connection = new TsgoConnection(tsgoExecutable(), ["--cwd", dir], new Map());
  let tsgo = 0;
  try {
    connection.request("initialize", null);
    const { snapshot, projects } = connection.request("updateSnapshot", { openProjects: [join(dir, "tsconfig.json")] }) as { snapshot: number; projects: { id: string }[] };
    connection.request("getSemanticDiagnostics", { snapshot, project: projects[0]!.id });
    for (const pid of tsgoChildren()) tsgo += cpuMs(pid);
  } finally {
    connection.close();
  }
  return { wall: performance.now() - start, node: 0, tsgo };
}

async function tscCpu(tsc: string, dir: string): Promise<Spent> {
  const before = cpuMs("self", true);
  const run = await runProcess(tsc, ["--noEmit", "-p", dir], { cwd: dir });
  return { wall: run.ms, node: 0, tsgo: cpuMs("self", true) - before };
}

export async function cpuBudget(dir: string, tsc: string, runs = 3): Promise<void> {
  const samples = { tsc: [] as Spent[], alone: [] as Spent[], aloft: [] as Spent[] };
  for (let r = 0; r < runs; r++) {
    samples.tsc.push(await tscCpu(tsc, dir));
    samples.alone.push(tsgoAlone(dir));
    samples.aloft.push(aloftCheckCpu(dir));
  }
  const row = (name: string, spent: Spent[]) => {
    const node = median(spent.map((s) => s.node));
    const tsgo = median(spent.map((s) => s.tsgo));
    return [name, node ? `${node.toFixed(0)} ms` : "-", `${tsgo.toFixed(0)} ms`, `${median(spent.map((s) => s.node + s.tsgo)).toFixed(0)} ms`, `${median(spent.map((s) => s.wall)).toFixed(0)} ms`];
  };
  report(`CPU time, median of ${runs} (tsgo's own process, or tsc's; Node's is this process's while it checks)`, [
    ["", "Node", "tsgo / tsc", "CPU in all", "wall"],
    row("tsc --noEmit -p DIR (its own process)", samples.tsc),
    row("tsgo alone: load, then every file's type errors", samples.alone),
    row("aloft check's work (in this process)", samples.aloft),
  ]);
}
