/**
 * `aloft run [--json] [--skip-check] [--workers N] [--debug NODE] [--domain D] [--remote [--runner URL] [--token T] [--project P] [--detach]] FILE ENTITY [--INPUT VALUE ...]`
 */
import { relative } from "node:path";
import type { CompilerDiagnostic } from "../../compiler/diagnostics.ts";
import { formatType, type EntityInterface } from "../../compiler/type-spec.ts";
import { checkInputNames, parseCliValue } from "../data/cli-input.ts";
import type { WireValue } from "../data/wire.ts";
import { AloftError, type ErrorInfo } from "../../compiler/errors.ts";
import { checkDebugTarget } from "../engine/debug-target.ts";
import type { ExecutionEvent } from "../engine/events.ts";
import { LocalRunner } from "../local-runner.ts";
import { followRemote, submitRemote } from "../remote/remote-run.ts";
import { RunnerClient } from "../remote/runner-client.ts";
import { resolveRunnerEndpoint } from "../remote/runner-endpoint.ts";
import { scopeNameProblem } from "../service/protocol.ts";
import { DEFAULT_DOMAIN } from "../store/state-store.ts";
import { findWorkspace } from "../workspace.ts";
import { bold, dim, formatBytes, formatDuration, formatError, formatOutputs, green, localizeValue, red, yellow } from "./format.ts";
import { formatDiagnostics } from "./diagnostics-format.ts";
import { ProgressView } from "./progress.ts";
import { UsageError } from "./usage.ts";

interface RunFlags {
  json: boolean;
  skipCheck: boolean;
  workers?: number;
  help: boolean;
  remote: boolean;
  detach: boolean;
  runner?: string;
  token?: string;
  project?: string;
  /** Checked when parsed: a bad name is the flag's error, not the runner's. */
  domain?: string;
  /** A node id, or a task's name: that attempt waits for a debugger. */
  debug?: string;
}

/** How a run ended, local or remote, in the shape the CLI prints. */
interface RunOutcome {
  id: string;
  status: string;
  outputs: WireValue | undefined;
  error: ErrorInfo | undefined;
}

export async function runCommand(args: string[]): Promise<number> {
  const { flags, file, entity, inputArgs } = splitRunArgs(args);
  const runner = new LocalRunner(findWorkspace());
  try {
    const prepared = await runner.prepare(file);
    const errors = prepared.diagnostics.filter((d) => d.severity === "error");
    const iface = prepared.interfaces[entity];
    if (!iface) {
      const names = Object.values(prepared.interfaces).map((e) => `${e.name} (${e.kind})`);
      throw new AloftError({
        code: "ENTITY_NOT_FOUND",
        message: `${file} has no exported task, workflow or dynamic named "${entity}"; it has: ${names.join(", ") || "none (entities are exported top-level consts)"}`,
      });
    }
    if (flags.help || inputArgs.includes("--help")) {
      process.stdout.write(inputHelp(file, iface));
      return 0;
    }
    if (errors.length && !flags.skipCheck) {
      process.stderr.write(`${formatDiagnostics(errors, { pretty: process.stderr.isTTY })}\n${red(`${file} has ${errors.length} error(s); fix them or pass --skip-check to run anyway`)}\n`);
      return 2;
    }
    const debug = flags.debug === undefined ? undefined : { node: flags.debug };
    if (debug) checkDebugTarget(debug, Object.values(prepared.interfaces), file);
    const given = parseInputArgs(inputArgs, iface);
    const json = flags.json || given.jsonFlag;
    checkInputNames(iface, given.values);
    const inputs: Record<string, WireValue> = {};
    for (const [name, text] of Object.entries(given.values)) {
      inputs[name] = await parseCliValue(text, iface.inputs[name]!.type, name, runner.blobs, iface);
    }
    const progress = json ? undefined : new ProgressView(process.stderr);
    let executionId = "";
    // Said even with --json: the person who asked for the debugger must learn where it waits.
    const listener = (event: ExecutionEvent): void => {
      progress?.listener(event);
      if (event.type === "debugger") process.stderr.write(`${yellow("⏸")} ${debuggerHint(event, flags.remote ? { executionId, runner: flags.runner } : "local")}\n`);
    };
    const started = Date.now();
    const announce = (id: string, where: string) => {
      if (!json) process.stderr.write(`${bold("▶")} execution ${bold(id)}  ${iface.kind} ${bold(entity)} ${dim(`(${relative(process.cwd(), prepared.file)})${where}`)}\n`);
    };
    let record: RunOutcome;
    if (flags.remote) {
      const client = new RunnerClient(resolveRunnerEndpoint({ runner: flags.runner, token: flags.token }, runner.workspace));
      const submitted = await submitRemote(runner, client, prepared, entity, inputs, { project: flags.project, domain: flags.domain }, debug);
      if (!json) {
        const { sent, bytes } = submitted.uploaded;
        process.stderr.write(dim(sent ? `▲ uploaded ${sent} blob${sent === 1 ? "" : "s"} (${formatBytes(bytes)})\n` : "▲ nothing to upload: the runner holds every blob already\n"));
      }
      executionId = submitted.executionId;
      announce(submitted.executionId, ` on ${client.endpoint.url}, project ${submitted.project}, domain ${submitted.domain}`);
      if (flags.detach) {
        if (json) process.stdout.write(`${JSON.stringify({ executionId: submitted.executionId, status: "running", outputs: null })}\n`);
        return 0;
      }
      const runnerFlag = ` --runner ${client.endpoint.url}`;
      const stopWatching = onInterrupt(
        () => `${yellow("⏸")} stopped following: execution ${executionId} runs on at ${client.endpoint.url}. Follow it again: aloft logs ${executionId} --follow${runnerFlag}; stop it: aloft executions cancel ${executionId}${runnerFlag}`,
      );
      try {
        const ended = await followRemote(runner, client, submitted.executionId, listener);
        record = { id: ended.executionId, status: ended.status, outputs: ended.outputs ?? undefined, error: ended.error ?? undefined };
      } finally {
        stopWatching();
      }
    } else {
      const stopWatching = onInterrupt(() =>
        executionId ? `${yellow("⏹")} interrupted: execution ${executionId} stopped with this process. Finish it: aloft executions resume ${executionId}; or end it: aloft executions cancel ${executionId}` : `${yellow("⏹")} interrupted before the execution started`,
      );
      try {
        const onCreated = (id: string) => {
          executionId = id;
          announce(id, `, domain ${flags.domain ?? DEFAULT_DOMAIN}`);
        };
        const local = await runner.run(prepared, entity, inputs, { workers: flags.workers, listener, onCreated, debug, ...(flags.domain ? { domain: flags.domain } : {}) });
        record = { id: local.id, status: local.status, outputs: local.outputs, error: local.error };
      } finally {
        stopWatching();
      }
    }
    progress?.stop();
    if (json) {
      const outputs = localizeValue(record.outputs, runner.blobs);
      process.stdout.write(`${JSON.stringify({ executionId: record.id, status: record.status, outputs, ...(record.error ? { error: record.error } : {}) })}\n`);
    } else if (record.status === "succeeded") {
      process.stderr.write(`${green("✓")} ${entity} succeeded in ${formatDuration(Date.now() - started)}\n`);
      process.stdout.write(`${bold("outputs")}\n${formatOutputs(record.outputs, runner.blobs)}\n`);
    } else {
      process.stderr.write(`${red("✗")} ${entity} ${record.status} after ${formatDuration(Date.now() - started)}\n`);
      if (record.error) process.stderr.write(`${formatError(record.error)}\n`);
      const where = flags.remote ? ` --runner ${flags.runner ?? "$ALOFT_RUNNER"}` : "";
      process.stderr.write(dim(`  logs: aloft logs ${record.id}${record.error?.node ? ` ${record.error.node}` : ""}${where}\n`));
    }
    return record.status === "succeeded" ? 0 : 1;
  } finally {
    await runner.close();
  }
}

function splitRunArgs(args: string[]): { flags: RunFlags; file: string; entity: string; inputArgs: string[] } {
  const flags: RunFlags = { json: false, skipCheck: false, help: false, remote: false, detach: false };
  let i = 0;
  const value = (flag: string) => {
    const next = args[++i];
    if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
    return next;
  };
  for (; i < args.length && args[i]!.startsWith("--"); i++) {
    const arg = args[i]!;
    if (arg === "--json") flags.json = true;
    else if (arg === "--remote") flags.remote = true;
    else if (arg === "--detach") flags.detach = true;
    else if (arg === "--runner") flags.runner = value(arg);
    else if (arg === "--token") flags.token = value(arg);
    else if (arg === "--project") flags.project = value(arg);
    else if (arg === "--domain") flags.domain = scopeName(value(arg), arg);
    else if (arg === "--debug") flags.debug = value(arg);
    else if (arg === "--skip-check") flags.skipCheck = true;
    else if (arg === "--help") flags.help = true;
    else if (arg === "--workers") flags.workers = positiveInteger(args[++i], "--workers");
    else throw new UsageError(`unknown option ${arg} for aloft run`);
  }
  const [file, entity, ...inputArgs] = args.slice(i);
  if (!flags.remote && (flags.detach || flags.runner || flags.token || flags.project)) {
    throw new UsageError("--detach, --runner, --token and --project are for remote runs: add --remote");
  }
  if (flags.remote && flags.workers) throw new UsageError("--workers sets local worker processes; a remote run uses the runner's");
  if (!file || !entity) {
    if (flags.help) throw new UsageError("", 0);
    throw new UsageError("aloft run needs a file and an entity: aloft run FILE ENTITY [--INPUT VALUE ...]");
  }
  return { flags, file, entity, inputArgs };
}

/** What to tell a person whose attempt now waits for a debugger. */
export function debuggerHint(event: Extract<ExecutionEvent, { type: "debugger" }>, where: "local" | { executionId: string; runner: string | undefined }): string {
  const subject = `${event.entity} (node ${event.nodeId}, attempt ${event.attempt}) is paused, waiting for a debugger`;
  if (where === "local") {
    const { port, path } = event.endpoint;
    return `${subject} at ws://127.0.0.1:${port}${path}\n  VS Code: "Debug: Attach to Node Process", or a launch configuration { "type": "node", "request": "attach", "port": ${port} }; Chrome: chrome://inspect`;
  }
  return `${subject}; open a local port to it with: aloft debug ${where.executionId} ${event.nodeId}${where.runner ? ` --runner ${where.runner}` : ""}`;
}

function scopeName(text: string, flag: string): string {
  const problem = scopeNameProblem(flag, text);
  if (problem) throw new UsageError(problem);
  return text;
}

function positiveInteger(text: string | undefined, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} expects a positive whole number, got ${text === undefined ? "nothing" : `"${text}"`}`);
  return n;
}

/** `--name value`, `--name=value`, and a bare `--flag` for a boolean input. */
function parseInputArgs(args: string[], iface: EntityInterface): { values: Record<string, string>; jsonFlag: boolean } {
  const values: Record<string, string> = {};
  let jsonFlag = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      throw new UsageError(`unexpected "${arg}": inputs are given as --NAME VALUE (see aloft run FILE ${iface.name} --help)`);
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (name === "json" && !(name in iface.inputs)) {
      jsonFlag = true;
      continue;
    }
    if (name in values) throw new UsageError(`input "${name}" is given twice`);
    if (eq > 0) {
      values[name] = arg.slice(eq + 1);
      continue;
    }
    const next = args[i + 1];
    const isBoolean = iface.inputs[name]?.type.kind === "boolean";
    if (next === undefined || (isBoolean && next.startsWith("--"))) {
      if (isBoolean) values[name] = "true";
      else throw new UsageError(`input "${name}" needs a value: --${name} VALUE`);
      continue;
    }
    values[name] = next;
    i++;
  }
  return { values, jsonFlag };
}

function inputHelp(file: string, iface: EntityInterface): string {
  const lines = [`${bold(iface.name)} — ${iface.kind} in ${file}`, "", bold("inputs")];
  const entries = Object.entries(iface.inputs);
  if (!entries.length) lines.push("  (none)");
  const width = Math.max(0, ...entries.map(([n]) => n.length));
  for (const [name, field] of entries) {
    const hint = field.type.kind === "file" ? " (a local file path)" : field.type.kind === "dir" ? " (a local directory path)" : field.type.kind === "array" || field.type.kind === "record" ? " (JSON)" : "";
    lines.push(`  --${name.padEnd(width)}  ${formatType(field.type)}${field.optional ? dim(" (optional)") : ""}${dim(hint)}`);
  }
  lines.push("", `${bold("output")}  ${formatType(iface.output)}`, "");
  return lines.join("\n");
}

/**
 * Ctrl-C while a run is under way: the process ends at once, as it would
 * without a handler (exit code 130), saying what became of the execution
 * and the commands that go on from there. Returns what removes the handler.
 */
function onInterrupt(hint: () => string): () => void {
  const interrupted = () => {
    process.stderr.write(`\n${hint()}\n`);
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  return () => process.off("SIGINT", interrupted);
}
