// `aloft lsp` in an editor nobody on the team wrote: Debian's neovim (0.7.2),
// headless, configured the way a user's init.lua would start any language
// server. test/lsp/nvim/probe.lua does the editing and writes down what
// neovim read; this file sets up a user's workspace and judges the report.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { DEBUG_COMMAND, RUN_LOCALLY_COMMAND, RUN_REMOTE_COMMAND, SHOW_GRAPH_COMMAND, type EntityCommandArgument } from "../../server/protocol.ts";

const repo = resolve(import.meta.dirname, "../..");
const probe = join(repo, "test/lsp/nvim/probe.lua");
const planted = join(repo, "test/fixtures/check/planted.ts");
const plantedLines = readFileSync(planted, "utf8").split("\n");

/** Each wait inside neovim; the machine is shared, so generous. */
const WAIT_MS = 120_000;
/** Only so that a hung neovim cannot hang the suite; nothing is timed. */
const NVIM_KILL_MS = 600_000;

const nvimVersion = (() => {
  const result = spawnSync("nvim", ["--version"], { encoding: "utf8" });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") return undefined;
  assert.equal(result.status, 0, `nvim --version failed: ${result.error?.message ?? result.stderr}`);
  const match = /^NVIM v(\d+)\.(\d+)\.(\d+)/m.exec(result.stdout);
  assert.ok(match, `nvim --version printed no version: ${result.stdout}`);
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
})();

interface VimDiagnostic {
  lnum: number;
  col: number;
  end_lnum: number;
  end_col: number;
  /** vim.diagnostic.severity: 1 is ERROR. */
  severity: number;
  source?: string;
  code?: string | number;
  message: string;
}

interface Lens {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  command?: { title: string; command: string; arguments?: unknown[] };
}

/** What probe.lua writes; see its comments. */
interface ProbeReport {
  version: { major: number; minor: number; patch: number };
  steps: string[];
  error?: string;
  published: { uri: string; version?: number; diagnostics: unknown[] }[];
  diagnostic_events: { version?: number; diagnostics: VimDiagnostic[] }[];
  server_log: { type: number; message: string }[];
  shown: { type: number; message: string }[];
  rpc_errors: { code: string; err: string }[];
  server_capabilities?: Record<string, unknown>;
  exit?: { code: number; signal: number };
  planted?: VimDiagnostic[];
  planted_version?: number;
  lenses?: { err?: unknown; result?: Lens[] | null };
  lens_text?: { lnum: number; text: string }[];
  fixed_line?: number;
  edited_version?: number;
  after_fix?: VimDiagnostic[];
  fixed_version?: number;
}

const FIX = { from: "data: string[]", to: "data: number[]" };
const ALL_STEPS = ["opened", "started", "diagnosed", "lenses", "lenses shown", "edited", "cleared", "stopped"];

/** Exported entities of planted.ts as the source spells them: name, kind, 0-based line and column of the name. */
const entities = plantedLines.flatMap((text, line) => {
  const match = /^export const (\w+) = (task|workflow|dynamic)\(/.exec(text);
  return match ? [{ name: match[1]!, kind: match[2]!, line, character: text.indexOf(match[1]!) }] : [];
});

describe("aloft lsp in Debian's neovim, headless", { skip: nvimVersion ? false : "nvim is not installed (apt-get install -y neovim)" }, () => {
  let workspace: string;
  let file: string;
  let report: ProbeReport;
  let nvimOutput = "";

  /** Everything that helps tell why an assertion failed. */
  const context = () =>
    [
      report?.error && `probe error: ${report.error}`,
      `steps: ${report?.steps.join(", ")}`,
      report?.rpc_errors.length && `rpc errors: ${JSON.stringify(report.rpc_errors)}`,
      report?.server_log.length && `server log:\n${report.server_log.map((m) => m.message).join("\n")}`,
      nvimOutput && `neovim said:\n${nvimOutput}`,
      `neovim's lsp.log:\n${lspLog()}`,
    ]
      .filter(Boolean)
      .join("\n");
  const lspLog = () => {
    const log = join(workspace, "xdg/cache/nvim/lsp.log");
    return existsSync(log) ? readFileSync(log, "utf8").slice(-4000) : "(none)";
  };

  before(async () => {
    // A user's project: the workflow file and aloft installed in node_modules, no tsconfig.json.
    workspace = mkdtempSync(join(tmpdir(), "aloft-neovim-"));
    mkdirSync(join(workspace, "node_modules"));
    symlinkSync(repo, join(workspace, "node_modules/aloft"), "dir");
    file = join(workspace, "planted.ts");
    copyFileSync(planted, file);

    const reportFile = join(workspace, "report.json");
    const xdg = (name: string) => join(workspace, "xdg", name);
    const nvim = spawn("nvim", ["--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", `luafile ${probe.replace(/[ \\]/g, "\\$&")}`], {
      cwd: workspace,
      // stdin must not be an open pipe: neovim would wait to read it.
      stdio: ["ignore", "pipe", "pipe"],
      timeout: NVIM_KILL_MS,
      env: {
        ...process.env,
        // neovim's logs (lsp.log has the raw traffic errors) stay in the workspace.
        XDG_CACHE_HOME: xdg("cache"),
        XDG_STATE_HOME: xdg("state"),
        XDG_DATA_HOME: xdg("data"),
        XDG_CONFIG_HOME: xdg("config"),
        NO_COLOR: "1",
        ALOFT_PROBE_CMD: JSON.stringify([process.execPath, join(repo, "dist/cli.js"), "lsp", "--stdio"]),
        ALOFT_PROBE_FILE: file,
        ALOFT_PROBE_ROOT: workspace,
        ALOFT_PROBE_REPORT: reportFile,
        ALOFT_PROBE_FIX_FROM: FIX.from,
        ALOFT_PROBE_FIX_TO: FIX.to,
        ALOFT_PROBE_TIMEOUT_MS: String(WAIT_MS),
      },
    });
    nvim.stdout.setEncoding("utf8").on("data", (chunk: string) => (nvimOutput += chunk));
    nvim.stderr.setEncoding("utf8").on("data", (chunk: string) => (nvimOutput += chunk));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) => nvim.on("close", (c, s) => done([c, s])));
    assert.ok(existsSync(reportFile), `neovim (exit ${code}, signal ${signal}) wrote no report:\n${nvimOutput}\nlsp.log:\n${lspLog()}`);
    report = JSON.parse(readFileSync(reportFile, "utf8")) as ProbeReport;
    assert.equal(code, 0, `neovim exited with ${code} (signal ${signal})\n${context()}`);
  });

  after(() => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it("ran in the neovim installed here, to the end, and the server exited cleanly", () => {
    assert.deepEqual(
      [report.version.major, report.version.minor, report.version.patch],
      [nvimVersion!.major, nvimVersion!.minor, nvimVersion!.patch],
      "the probe ran in another neovim than `nvim --version` names",
    );
    assert.equal(report.error, undefined, context());
    assert.deepEqual(report.steps, ALL_STEPS, context());
    assert.deepEqual(report.rpc_errors, [], context());
    assert.deepEqual(report.shown, [], "the server showed the user a message");
    assert.deepEqual(report.exit, { code: 0, signal: 0 }, context());
  });

  it("shows the planted wiring error on its line, in workflow terms, as `aloft check` reports it", () => {
    const line = plantedLines.findIndex((text) => text.includes("fit({ data: load({ n }) })"));
    assert.ok(line >= 0, "planted.ts no longer holds the planted call");
    assert.equal(report.planted?.length, 1, `${JSON.stringify(report.planted)}\n${context()}`);
    const [diagnostic] = report.planted!;
    assert.equal(diagnostic!.lnum, line);
    assert.equal(diagnostic!.col, plantedLines[line]!.indexOf("data: load({ n })"), "not on the input `data`");
    assert.equal(diagnostic!.severity, 1, "not an error");
    assert.equal(diagnostic!.source, "aloft");
    assert.equal(diagnostic!.code, "ALOFT_WIRING_MISMATCH");
    assert.equal(diagnostic!.message, 'input "data" of task "fit" expects string[] but receives number[] from task "load"');

    // The same diagnostic, 0-based, as `aloft check --json` prints 1-based for the same file.
    const check = spawnSync(process.execPath, [join(repo, "dist/cli.js"), "check", "--json", file], { cwd: workspace, encoding: "utf8" });
    assert.equal(check.status, 1, check.stderr);
    const checked = (JSON.parse(check.stdout) as { line: number; column: number; endLine: number; endColumn: number; code: string; message: string }[]).map((d) => ({
      lnum: d.line - 1,
      col: d.column - 1,
      end_lnum: d.endLine - 1,
      end_col: d.endColumn - 1,
      severity: 1,
      source: "aloft",
      code: d.code,
      message: d.message,
    }));
    assert.deepEqual(report.planted, checked);
  });

  it("puts run lenses over each exported task and workflow, and a graph lens over each workflow", () => {
    assert.deepEqual(
      entities.map((e) => [e.name, e.kind]),
      [
        ["load", "task"],
        ["fit", "task"],
        ["training", "workflow"],
      ],
      "planted.ts changed: update the expected inputs below",
    );
    assert.equal(report.lenses?.err, undefined, JSON.stringify(report.lenses?.err));
    const lenses = report.lenses?.result ?? [];
    const expected = entities.flatMap((entity) => {
      const commands: [string, string][] = [
        ["▶ Run locally", RUN_LOCALLY_COMMAND],
        ["☁ Run remote", RUN_REMOTE_COMMAND],
      ];
      if (entity.kind !== "task") commands.push(["⎇ Graph", SHOW_GRAPH_COMMAND]);
      commands.push(["● Debug", DEBUG_COMMAND]);
      return commands.map(([title, command]) => ({ line: entity.line, character: entity.character, title, command, file, entity: entity.name, kind: entity.kind }));
    });
    const seen = lenses.map((lens) => {
      assert.equal(lens.command?.arguments?.length, 1, `lens ${JSON.stringify(lens)} does not carry one argument`);
      const argument = lens.command.arguments[0] as EntityCommandArgument;
      return { line: lens.range.start.line, character: lens.range.start.character, title: lens.command.title, command: lens.command.command, file: argument.file, entity: argument.entity, kind: argument.kind };
    });
    assert.deepEqual(seen, expected);

    const inputsOf = (entity: string) =>
      (lenses.find((lens) => (lens.command?.arguments?.[0] as EntityCommandArgument).entity === entity)!.command!.arguments![0] as EntityCommandArgument).interface.inputs;
    assert.deepEqual(inputsOf("load"), { n: { type: { kind: "number" }, optional: false } });
    assert.deepEqual(inputsOf("fit"), { data: { type: { kind: "array", items: { kind: "string" } }, optional: false } });
    assert.deepEqual(inputsOf("training"), { n: { type: { kind: "number" }, optional: false } });

    // What the user sees: neovim draws each line's lenses as one virtual text.
    assert.deepEqual(
      report.lens_text,
      entities.map((entity) => ({
        lnum: entity.line,
        text: entity.kind === "task" ? "▶ Run locally | ☁ Run remote | ● Debug" : "▶ Run locally | ☁ Run remote | ⎇ Graph | ● Debug",
      })),
    );
  });

  it("clears the error once an edit in the buffer fixes it", () => {
    assert.equal(report.fixed_line, plantedLines.findIndex((text) => text.includes(FIX.from)), context());
    assert.ok(report.edited_version! > report.planted_version!, `the edit got version ${report.edited_version}, the planted error came with ${report.planted_version}`);
    assert.deepEqual(report.after_fix, [], context());
    assert.equal(report.fixed_version, report.edited_version);
    // Nothing stale came after: the last diagnostics published are of the edited text, and empty.
    const last = report.published.at(-1);
    assert.deepEqual([last?.version, last?.diagnostics], [report.edited_version, []], JSON.stringify(report.published));
  });
});
