/**
 * `aloft run [--json] [--skip-check] [--workers N] FILE ENTITY [--INPUT VALUE ...]`
 */
import { relative } from "node:path";
import type { CompilerDiagnostic } from "../../compiler/diagnostics.ts";
import { formatType, type EntityInterface } from "../../compiler/type-spec.ts";
import { checkInputNames, parseCliValue } from "../data/cli-input.ts";
import type { WireValue } from "../data/wire.ts";
import { AloftError } from "../../compiler/errors.ts";
import { LocalRunner } from "../local-runner.ts";
import { findWorkspace } from "../workspace.ts";
import { bold, dim, formatDuration, formatError, formatOutputs, green, localizeValue, red } from "./format.ts";
import { ProgressView } from "./progress.ts";
import { UsageError } from "./usage.ts";

interface RunFlags {
  json: boolean;
  skipCheck: boolean;
  workers?: number;
  help: boolean;
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
      process.stderr.write(`${formatDiagnostics(errors)}\n${red(`${file} has ${errors.length} error(s); fix them or pass --skip-check to run anyway`)}\n`);
      return 2;
    }
    const given = parseInputArgs(inputArgs, iface);
    const json = flags.json || given.jsonFlag;
    checkInputNames(iface, given.values);
    const inputs: Record<string, WireValue> = {};
    for (const [name, text] of Object.entries(given.values)) {
      inputs[name] = await parseCliValue(text, iface.inputs[name]!.type, name, runner.blobs, iface);
    }
    const progress = json ? undefined : new ProgressView(process.stderr);
    const started = Date.now();
    const record = await runner.run(prepared, entity, inputs, {
      workers: flags.workers,
      listener: progress?.listener,
      onCreated: (id) => {
        if (!json) process.stderr.write(`${bold("▶")} execution ${bold(id)}  ${iface.kind} ${bold(entity)} ${dim(`(${relative(process.cwd(), prepared.file)})`)}\n`);
      },
    });
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
      process.stderr.write(dim(`  logs: aloft logs ${record.id}${record.error?.node ? ` ${record.error.node}` : ""}\n`));
    }
    return record.status === "succeeded" ? 0 : 1;
  } finally {
    runner.close();
  }
}

function splitRunArgs(args: string[]): { flags: RunFlags; file: string; entity: string; inputArgs: string[] } {
  const flags: RunFlags = { json: false, skipCheck: false, help: false };
  let i = 0;
  for (; i < args.length && args[i]!.startsWith("--"); i++) {
    const arg = args[i]!;
    if (arg === "--json") flags.json = true;
    else if (arg === "--skip-check") flags.skipCheck = true;
    else if (arg === "--help") flags.help = true;
    else if (arg === "--workers") flags.workers = positiveInteger(args[++i], "--workers");
    else if (arg === "--remote") throw new UsageError("--remote needs a runner service, which this version of aloft does not have yet; run locally without --remote");
    else throw new UsageError(`unknown option ${arg} for aloft run`);
  }
  const [file, entity, ...inputArgs] = args.slice(i);
  if (!file || !entity) {
    if (flags.help) throw new UsageError("", 0);
    throw new UsageError("aloft run needs a file and an entity: aloft run FILE ENTITY [--INPUT VALUE ...]");
  }
  return { flags, file, entity, inputArgs };
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

export function formatDiagnostics(diagnostics: CompilerDiagnostic[]): string {
  return diagnostics
    .map((d) => `${relative(process.cwd(), d.file)}:${d.line}:${d.column} ${d.severity === "error" ? red("error") : "warning"} ${dim(d.code)} ${d.message}`)
    .join("\n");
}
