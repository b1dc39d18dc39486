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
import { oneShotTsgoEnv, tsgoExecutable } from "../compiler/tsgo-start.ts";
import { workflowFiles } from "../runner/cli/check-command.ts";
import { runProcess } from "./processes.ts";
import { median, report } from "./stats.ts";

const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/**
 * CPU milliseconds out of a `/proc/PID/stat` line: the process's own user +
 * system time, or (`waitedChildren`) that of the children it has waited for.
 */
function statCpuMs(stat: string, waitedChildren = false): number {
  // Fields after the command name, counted from `state` (field 3): utime is 14, cutime 16.
  const fields = stat.split(") ")[1]!.split(" ");
  const [user, system] = waitedChildren ? [fields[13]!, fields[14]!] : [fields[11]!, fields[12]!];
  return ((Number(user) + Number(system)) * 1000) / ticksPerSecond;
}

const cpuMs = (pid: number) => statCpuMs(readFileSync(`/proc/${pid}/stat`, "utf8"));

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
  /** CPU of the process measured: tsc, the CLI, or tsgo. */
  cpu: number;
}

/** `aloft check`'s work in this process: our own CPU, and tsgo's, read just before the session ends it. */
function aloftCheckCpu(dir: string): Spent & { node: number } {
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
  return { wall, node: (user + system) / 1000, cpu: tsgo };
}

/** tsgo started, the project loaded, every file's type errors: nothing aloft adds. */
function tsgoAlone(dir: string): Spent {
  const start = performance.now();
  // With the garbage collection aloft's check gives its own tsgo.
  const connection = new TsgoConnection(tsgoExecutable(), ["--cwd", dir], new Map(), oneShotTsgoEnv());
  let tsgo = 0;
  try {
    connection.request("initialize", null);
    const { snapshot, projects } = connection.request("updateSnapshot", { openProjects: [join(dir, "tsconfig.json")] }) as { snapshot: number; projects: { id: string }[] };
    connection.request("getSemanticDiagnostics", { snapshot, project: projects[0]!.id });
    for (const pid of tsgoChildren()) tsgo += cpuMs(pid);
  } finally {
    connection.close();
  }
  return { wall: performance.now() - start, cpu: tsgo };
}

/**
 * A command's CPU, as the shell that waited for it counts its children (its
 * `cutime` + `cstime`, read before anything else it starts is reaped).
 * Processes the command leaves running unwaited (aloft check's tsgo, killed
 * as the CLI exits) are not in it.
 */
async function commandCpu(command: string, args: string[], cwd: string): Promise<Spent> {
  const script = '"$0" "$@" >/dev/null 2>&1; cat /proc/$$/stat';
  const run = await runProcess("sh", ["-c", script, command, ...args], { cwd });
  return { wall: run.ms, cpu: statCpuMs(run.stdout, true) };
}

export async function cpuBudget(dir: string, tsc: string, aloftCli: string, runs = 3): Promise<void> {
  const samples = { tsc: [] as Spent[], cli: [] as Spent[], alone: [] as Spent[], aloft: [] as (Spent & { node: number })[] };
  for (let r = 0; r < runs; r++) {
    samples.tsc.push(await commandCpu(tsc, ["--noEmit", "-p", dir], dir));
    samples.cli.push(await commandCpu(process.execPath, [aloftCli, "check", dir], dir));
    samples.alone.push(tsgoAlone(dir));
    samples.aloft.push(aloftCheckCpu(dir));
  }
  const ms = (values: number[]) => `${median(values).toFixed(0)} ms`;
  report(`CPU time, median of ${runs}: each process's own, user and system`, [
    ["", "CPU", "wall"],
    ["tsc --noEmit -p DIR", ms(samples.tsc.map((s) => s.cpu)), ms(samples.tsc.map((s) => s.wall))],
    ["aloft check DIR: the CLI's Node process (tsgo apart)", ms(samples.cli.map((s) => s.cpu)), ms(samples.cli.map((s) => s.wall))],
    ["aloft check's work in this process: tsgo", ms(samples.aloft.map((s) => s.cpu)), ms(samples.aloft.map((s) => s.wall))],
    ["  and Node (this process, its code already compiled and warm)", ms(samples.aloft.map((s) => s.node)), ""],
    ["tsgo alone: load, then every file's type errors", ms(samples.alone.map((s) => s.cpu)), ms(samples.alone.map((s) => s.wall))],
  ]);
}
