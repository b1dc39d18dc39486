// `aloft check DIR` against `tsc --noEmit -p DIR` (the repository's own
// TypeScript 7, the native compiler aloft's checker runs on) over a generated
// workspace of workflow files. Both are separate processes, started the way a
// user starts them, run alternately (the order swapped every round) so a busy
// machine slows both alike; only the ratio of the medians means anything.
// Before timing, both must check the same files and find them all clean.
//
//   npm run bench -- check-vs-tsc [--files 200] [--runs 5] [--profile] [--rebuild] [--keep]
//
// TypeScript 6's `tsc` (the JavaScript compiler, from bench/baselines) runs in
// the same rotation for reference; the target is against TypeScript 7's. So
// does `aloft --help`: the CLI loading its commands' modules, the part of
// `aloft check`'s time that is not the check. And so does the floor
// (api-floor-main.ts): a process started as the CLI starts that asks tsgo,
// through aloft's session, for TypeScript's errors only, with and without
// every file's syntax tree; no check on tsgo's API can take less. And so
// does tsc with Go's garbage collector set as aloft sets it for its own tsgo
// (`oneShotTsgoEnv`): what tsc would take given the same setting by hand.
// The machine is named last (machine.ts), with what fresh memory costs on it.
//
// --profile also checks the workspace once in this process and tells where
// aloft's time goes: per phase of the checker, and per request to tsgo; and
// where the CPU goes (cpu-budget.ts), against tsc's and tsgo's alone.
import { rmSync } from "node:fs";
import { join, relative } from "node:path";
import { oneShotTsgoEnv } from "../compiler/tsgo-start.ts";
import { makeWorkspace, repo } from "./bench-workspace.ts";
import { profileCheck } from "./checker-profile.ts";
import { cpuBudget } from "./cpu-budget.ts";
import { machineLine } from "./machine.ts";
import { aloftCli, baselines, buildApiFloor, ensureBaselines, ensureBuilt, runProcess, type Finished } from "./processes.ts";
import { arg, commandLine, flag, median, report } from "./stats.ts";
import { workspaceFile } from "./workflow-source.ts";

const fileCount = arg("files", 200);
const runs = arg("runs", 5);
const tsc = join(repo, "node_modules/.bin/tsc");
const tsc6 = join(baselines, "node_modules/.bin/tsc");

ensureBuilt(flag("rebuild"));
ensureBaselines();
const fileName = (i: number) => `flow-${String(i).padStart(3, "0")}.ts`;
const sources: Record<string, string> = {};
for (let i = 0; i < fileCount; i++) sources[fileName(i)] = workspaceFile(i, fileCount, fileName);
const dir = makeWorkspace(sources);
const lines = Object.values(sources).reduce((n, text) => n + text.split("\n").length, 0);
console.log(`workspace: ${dir} (${fileCount} workflow files, ${lines} lines)`);

const aloftCheck = () => runProcess(process.execPath, [aloftCli, "check", dir], { cwd: dir });
const tscCheck = () => runProcess(tsc, ["--noEmit", "-p", dir], { cwd: dir });
// Computed without a GOGC or GOMEMLIMIT of this shell, as aloft's own check computes it.
const { GOGC: _gogc, GOMEMLIMIT: _limit, ...unsetGc } = process.env;
const aloftGc = oneShotTsgoEnv(unsetGc);
const aloftGcSetting = `GOGC=${aloftGc.GOGC} GOMEMLIMIT=${aloftGc.GOMEMLIMIT}`;
const tscGcAsAloft = () => runProcess(tsc, ["--noEmit", "-p", dir], { cwd: dir, env: aloftGc });
const tsc6Check = () => runProcess(tsc6, ["--noEmit", "-p", dir], { cwd: dir });
const aloftStart = () => runProcess(process.execPath, [aloftCli, "--help"], { cwd: dir });
const apiFloor = await buildApiFloor();
const floor = () => runProcess(process.execPath, [apiFloor], { cwd: dir });
const floorWithTrees = () => runProcess(process.execPath, [apiFloor, "--trees"], { cwd: dir });

function fail(what: string, run: Finished): never {
  throw new Error(`${what} (exit code ${run.code})\n--- stdout\n${run.stdout.slice(0, 4000)}\n--- stderr\n${run.stderr.slice(0, 4000)}`);
}

/** The same files, all clean, for both: otherwise the comparison says nothing. */
async function assertBothClean(): Promise<void> {
  const listed = await runProcess(tsc, ["-p", dir, "--listFilesOnly"], { cwd: dir });
  if (listed.code !== 0) fail("tsc --listFilesOnly failed", listed);
  const tscOwn = listed.stdout
    .split("\n")
    .filter((f) => f.trim() && !relative(dir, f.trim()).startsWith(".."))
    .map((f) => relative(dir, f.trim()))
    .sort();
  const aloftJson = await runProcess(process.execPath, [aloftCli, "check", "--json", dir], { cwd: dir });
  const diagnostics = JSON.parse(aloftJson.stdout || "null") as { file: string; line: number; code: string; message: string }[] | null;
  if (!Array.isArray(diagnostics)) fail("aloft check --json printed no diagnostics array", aloftJson);
  if (diagnostics.length || aloftJson.code !== 0) {
    fail(`aloft check finds ${diagnostics.length} problem(s) in the generated workspace, the first: ${JSON.stringify(diagnostics[0])}`, aloftJson);
  }
  const expected = Object.keys(sources).sort();
  if (JSON.stringify(tscOwn) !== JSON.stringify(expected)) {
    throw new Error(`tsc's program holds other workspace files than the generated ones: ${tscOwn.filter((f) => !expected.includes(f)).join(", ") || tscOwn.length}`);
  }
  const plain = await aloftCheck();
  const summary = `0 error(s), 0 warning(s) in ${fileCount} workflow file(s)`;
  if (plain.code !== 0 || !plain.stderr.includes(summary)) fail(`aloft check did not say "${summary}"`, plain);
  const typescript = await tscCheck();
  if (typescript.code !== 0 || typescript.stdout.trim()) fail("tsc --noEmit finds errors in the generated workspace", typescript);
  const typescript6 = await tsc6Check();
  if (typescript6.code !== 0 || typescript6.stdout.trim()) fail("TypeScript 6's tsc --noEmit finds errors in the generated workspace", typescript6);
  const libraries = listed.stdout.split("\n").filter((f) => f.trim()).length - tscOwn.length;
  console.log(`both check the same ${fileCount} files (and ${libraries} library and SDK files they import) and find them clean`);
}

await assertBothClean(); // doubles as a warm-up of the disk cache and both binaries

const times = {
  aloft: [] as number[],
  tsc: [] as number[],
  tscGcAsAloft: [] as number[],
  tsc6: [] as number[],
  start: [] as number[],
  floor: [] as number[],
  floorWithTrees: [] as number[],
};
const checks = { aloft: aloftCheck, tsc: tscCheck, tscGcAsAloft, tsc6: tsc6Check, start: aloftStart, floor, floorWithTrees };
const rotation = ["aloft", "floorWithTrees", "tsc", "floor", "tscGcAsAloft", "tsc6", "start"] as const;
for (let r = 0; r < runs; r++) {
  const order = r % 2 ? rotation : [...rotation].reverse();
  for (const who of order) {
    const run = await checks[who]();
    if (run.code !== 0) fail(`${who} failed on run ${r + 1}`, run);
    times[who].push(run.ms);
  }
}

const row = (name: string, values: number[]) => [
  name,
  `${median(values).toFixed(0)} ms`,
  `${Math.min(...values).toFixed(0)} ms`,
  `${Math.max(...values).toFixed(0)} ms`,
];
const ratio = median(times.aloft) / median(times.tsc);
report(`checking ${fileCount} workflow files (${lines} lines), ${runs} alternating runs each, wall time of the process`, [
  ["", "median", "min", "max"],
  row("aloft check DIR", times.aloft),
  row("tsc --noEmit -p DIR (TypeScript 7)", times.tsc),
  row("tsc --noEmit -p DIR, Go's GC as aloft sets it (reference)", times.tscGcAsAloft),
  row("tsc --noEmit -p DIR (TypeScript 6, reference)", times.tsc6),
  row("aloft --help (the CLI starting, no check)", times.start),
  row("floor: TypeScript's errors through aloft's session", times.floor),
  row("floor, with every file's syntax tree", times.floorWithTrees),
]);
console.log(`aloft / tsc: ${ratio.toFixed(2)}× (target ≤ 1.5×: ${ratio <= 1.5 ? "met" : "MISSED"})`);
// Each round's own ratio: the two ran within a second or two of each other, so a machine busier in one round than in another weighs less.
const perRound = times.aloft.map((ms, i) => ms / times.tsc[i]!);
console.log(`  each round's aloft / tsc: median ${median(perRound).toFixed(2)}×, from ${Math.min(...perRound).toFixed(2)}× to ${Math.max(...perRound).toFixed(2)}×`);
console.log(`aloft / tsc given aloft's GC setting (${aloftGcSetting}): ${(median(times.aloft) / median(times.tscGcAsAloft)).toFixed(2)}×`);
console.log(`aloft / TypeScript 6's tsc: ${(median(times.aloft) / median(times.tsc6)).toFixed(2)}×`);
console.log(`floor / tsc: ${(median(times.floor) / median(times.tsc)).toFixed(2)}×, with the syntax trees ${(median(times.floorWithTrees) / median(times.tsc)).toFixed(2)}×`);
console.log(machineLine());
console.log(`command: ${commandLine()}`);

if (flag("profile")) {
  await profileCheck(dir);
  await cpuBudget(dir, tsc, aloftCli);
}
if (flag("keep")) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
