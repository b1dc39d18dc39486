// From a one-line edit to the diagnostics an editor shows, in a long workflow
// file: aloft's language server (`aloft lsp --stdio`) against
// typescript-language-server 5.x over TypeScript 6's tsserver, both with their
// default settings (debounces included: what a user waits for is what counts).
//
// Both servers run at once on the same workspace and get the same edits,
// interleaved (the order swapped every round), so a busy machine slows both
// alike. Each edit swaps one workflow line between a miswired and a correct
// version, a different line each time, so each edit has its own expected
// diagnostics: an error on that line, or no error at all. The time counted is
// from sending the didChange to the arrival of the first publish that matches;
// earlier publishes (stale, or partial) are skipped. A short gap follows each
// edit so trailing work does not spill into the next measurement.
//
//   npm run bench -- lsp-latency [--lines 2000] [--edits 100] [--gap 500] [--only aloft|baseline] [--profile] [--keep]
//
// --profile then replays the same edits through aloft's checker in this
// process (overlay + readEntities, as the server checks a document) and tells
// how long each check takes, where that time goes, and how much of the latency
// is the server's pause before it checks.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { DiagnosticSeverity } from "vscode-languageserver-protocol";
import { readEntities } from "../compiler/interfaces.ts";
import { TypeScriptSession } from "../compiler/ts-api.ts";
import { DEFAULT_DELAYS } from "../server/analysis-scheduler.ts";
import { makeWorkspace } from "./bench-workspace.ts";
import { profileChecker } from "./checker-profile.ts";
import { LspSession, type Published, type ServerCommand } from "./lsp-session.ts";
import { machineLine } from "./machine.ts";
import { aloftCli, baselines, ensureBaselines, ensureBuilt } from "./processes.ts";
import { arg, commandLine, flag, median, percentile, report } from "./stats.ts";
import { longWorkflowFile } from "./workflow-source.ts";

const minLines = arg("lines", 2000);
const edits = arg("edits", 100);
const gapMs = arg("gap", 500);
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
if (only !== undefined && only !== "aloft" && only !== "baseline") throw new Error("--only expects aloft or baseline");
/** Generous: a first check of a cold project on a busy machine. */
const FIRST_DIAGNOSTICS_MS = 180_000;
const EDIT_TIMEOUT_MS = 60_000;

ensureBuilt(flag("rebuild"));
ensureBaselines();
const aloftServer: ServerCommand = { name: "aloft lsp", command: process.execPath, args: [aloftCli, "lsp", "--stdio"] };
const baselineServer: ServerCommand = {
  name: "typescript-language-server",
  command: process.execPath,
  args: [join(baselines, "node_modules/typescript-language-server/lib/cli.mjs"), "--stdio"],
  initializationOptions: { tsserver: { path: join(baselines, "node_modules/typescript/lib/tsserver.js") } },
};
const servers = [aloftServer, baselineServer].filter((s) => only === undefined || (only === "aloft") === (s === aloftServer));

const long = longWorkflowFile(minLines);
const fileName = "long-workflow.ts";
const dir = makeWorkspace({ [fileName]: long.text });
const uri = new URL(`file://${join(dir, fileName)}`).href;
console.log(`workspace: ${dir} (${fileName}: ${long.lineCount} lines, ${long.togglable.length} workflows)`);

const errorLines = (p: Published) => p.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => d.range.start.line);
const clean = (p: Published) => errorLines(p).length === 0;
const errorOnlyAt = (line: number) => (p: Published) => {
  const lines = errorLines(p);
  return lines.length > 0 && lines.every((l) => l === line);
};

/** Edit `k`: even edits miswire a workflow line, odd ones put it back; each pair takes the next workflow. */
function editNumber(k: number) {
  const target = long.togglable[Math.floor(k / 2) % long.togglable.length]!;
  const miswire = k % 2 === 0;
  return miswire
    ? { line: target.line, before: target.clean, after: target.miswired, expect: errorOnlyAt(target.line), expected: `an error on line ${target.line + 1} only` }
    : { line: target.line, before: target.miswired, after: target.clean, expect: clean, expected: "no error" };
}

/** Unmeasured: the last workflow miswired and put back, before the measured edits start from the first. */
const WARM_UP_EDITS = [long.togglable.length * 2 - 2, long.togglable.length * 2 - 1] as const;

async function measureEdit(session: LspSession, k: number): Promise<{ ms: number; skipped: number }> {
  const edit = editNumber(k);
  const { sentAt, version } = await session.replaceLine(uri, edit.line, edit.before, edit.after);
  try {
    const { published, skipped } = await session.waitFor(uri, sentAt, edit.expect, EDIT_TIMEOUT_MS, version);
    return { ms: published.at - sentAt, skipped };
  } catch (error) {
    throw new Error(`edit ${k + 1} (expecting ${edit.expected}): ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The server's checks of the same edits, made in this process, and its pause before each. */
async function profileServerChecks(measured: number[]): Promise<void> {
  const file = join(dir, fileName);
  const lines = long.text.split("\n");
  const session = new TypeScriptSession({ cwd: dir });
  const check = (k: number) => {
    const edit = editNumber(k);
    lines[edit.line] = edit.after;
    session.setOverlay(file, lines.join("\n"));
    const start = performance.now();
    const errors = readEntities(file, session).diagnostics.filter((d) => d.severity === "error" && d.file === file);
    const ms = performance.now() - start;
    const expected = k % 2 === 0 ? [edit.line + 1] : [];
    if (JSON.stringify([...new Set(errors.map((d) => d.line))]) !== JSON.stringify(expected)) {
      throw new Error(`replayed edit ${k + 1}: expected ${edit.expected}, the checker found ${JSON.stringify(errors)}`);
    }
    return ms;
  };
  let checks: number[];
  let lastWarmUp = 0;
  try {
    session.setOverlay(file, long.text);
    readEntities(file, session); // loads the project, as the server's first check does
    // The warm-up edits the servers got; the second is the check the server made last before the measured ones.
    check(WARM_UP_EDITS[0]);
    lastWarmUp = check(WARM_UP_EDITS[1]);
    checks = await profileChecker(`aloft lsp's checks of the same ${edits} edits, replayed in this process`, () => Array.from({ length: edits }, (_, k) => check(k)));
  } finally {
    session.close();
  }
  // The server pauses after an edit as long as its last check took (server/analysis-scheduler.ts).
  const pauses = checks.map((_, k) => Math.min(Math.max(k ? checks[k - 1]! : lastWarmUp, DEFAULT_DELAYS.minMs), DEFAULT_DELAYS.maxMs));
  const estimated = checks.map((ms, k) => ms + pauses[k]!);
  report(`aloft lsp, one edit's latency taken apart (replayed checks; the pause is the previous check's time, within ${DEFAULT_DELAYS.minMs}..${DEFAULT_DELAYS.maxMs} ms)`, [
    ["", "median", "p95"],
    ["pause before the check", `${median(pauses).toFixed(0)} ms`, `${percentile(pauses, 95).toFixed(0)} ms`],
    ["check (readEntities of the edited file)", `${median(checks).toFixed(0)} ms`, `${percentile(checks, 95).toFixed(0)} ms`],
    ["pause + check", `${median(estimated).toFixed(0)} ms`, `${percentile(estimated, 95).toFixed(0)} ms`],
    ["measured over LSP, edit → diagnostics", `${median(measured).toFixed(0)} ms`, `${percentile(measured, 95).toFixed(0)} ms`],
  ]);
}

const sessions: LspSession[] = [];
let aloftLatencies: number[] | undefined;
try {
  const firstMs = new Map<LspSession, number>();
  for (const server of servers) {
    const start = performance.now();
    const session = await LspSession.start(server, dir);
    sessions.push(session);
    await session.open(uri, long.text);
    await session.waitFor(uri, start, clean, FIRST_DIAGNOSTICS_MS);
    firstMs.set(session, performance.now() - start);
  }
  // One unmeasured pair of edits per server: a first publish may say "no error"
  // before the semantic check has run; an error found proves it has.
  for (const session of sessions) for (const k of WARM_UP_EDITS) await measureEdit(session, k);

  const samples = new Map(sessions.map((s) => [s, { ms: [] as number[], skipped: 0 }]));
  for (let k = 0; k < edits; k++) {
    const order = k % 2 ? [...sessions].reverse() : sessions;
    for (const session of order) {
      const { ms, skipped } = await measureEdit(session, k);
      const sample = samples.get(session)!;
      sample.ms.push(ms);
      sample.skipped += skipped;
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  }

  const rows = sessions.map((s) => {
    const { ms, skipped } = samples.get(s)!;
    return [s.name, `${median(ms).toFixed(0)} ms`, `${percentile(ms, 95).toFixed(0)} ms`, `${Math.min(...ms).toFixed(0)} ms`, `${Math.max(...ms).toFixed(0)} ms`, `${(firstMs.get(s)! / 1000).toFixed(1)} s`, (skipped / ms.length).toFixed(1)];
  });
  report(`edit → matching diagnostics in a ${long.lineCount}-line workflow file, ${edits} edits per server (alternately adding and fixing a type error), ${gapMs} ms between edits`, [
    ["server", "median", "p95", "min", "max", "first diagnostics", "other publishes/edit"],
    ...rows,
  ]);
  const aloft = sessions.find((s) => s.name === aloftServer.name);
  const baseline = sessions.find((s) => s.name === baselineServer.name);
  if (aloft && baseline) {
    const a = samples.get(aloft)!.ms;
    const b = samples.get(baseline)!.ms;
    const medianRatio = median(a) / median(b);
    const p95Ratio = percentile(a, 95) / percentile(b, 95);
    console.log(`aloft / typescript-language-server: median ${medianRatio.toFixed(2)}×, p95 ${p95Ratio.toFixed(2)}× (target ≤ 1×: ${medianRatio <= 1 && p95Ratio <= 1 ? "met" : "MISSED"})`);
  }
  console.log(machineLine());
  console.log(`command: ${commandLine()}`);
  aloftLatencies = aloft && samples.get(aloft)!.ms;
} finally {
  for (const session of sessions) await session.stop();
}
try {
  if (flag("profile") && aloftLatencies) await profileServerChecks(aloftLatencies);
} finally {
  if (flag("keep")) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
