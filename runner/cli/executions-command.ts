/**
 * `aloft executions list [--domain D] [--status S] [--limit N]|get ID|cancel ID|resume ID`;
 * all but `resume` also on a runner service with --remote or --runner URL.
 */
import { ExecutionLock } from "../engine/execution-lock.ts";
import { LocalRunner } from "../local-runner.ts";
import { scopeNameProblem } from "../service/protocol.ts";
import type { ExecutionRecord, ExecutionStatus, NodeRecord } from "../store/state-store.ts";
import { findWorkspace } from "../workspace.ts";
import { bold, dim, formatDuration, formatError, formatOutputs, green, localizeValue, red, yellow } from "./format.ts";
import { ProgressView } from "./progress.ts";
import { reportCancel } from "./cancel-report.ts";
import { remoteCancel, remoteGet, remoteList } from "./remote-executions.ts";
import { runnerClient, takeRunnerFlags } from "./runner-flags.ts";
import { UsageError } from "./usage.ts";

export async function executionsCommand(args: string[]): Promise<number> {
  const flags = takeRunnerFlags(args);
  const [sub, ...rest] = flags.rest;
  const json = rest.includes("--json");
  const positional = rest.filter((a, i) => !a.startsWith("--") && !VALUED_FLAGS.has(rest[i - 1] ?? ""));
  if (flags.remote) {
    const client = runnerClient(flags, findWorkspace());
    if (sub === "list" || sub === undefined) return remoteList(client, json, listOptionsOf(rest));
    if (sub === "get") return remoteGet(client, requireId(positional[0], "get"), json);
    if (sub === "cancel") return remoteCancel(client, requireId(positional[0], "cancel"), json);
    throw new UsageError(sub === "resume" ? "a runner service resumes its executions itself; resume is for local runs" : `unknown subcommand "executions ${sub}"; use list, get ID or cancel ID`);
  }
  const runner = new LocalRunner(findWorkspace());
  try {
    switch (sub) {
      case "list":
      case undefined:
        return await list(runner, json, listOptionsOf(rest));
      case "get":
        return await get(runner, requireId(positional[0], "get"), json);
      case "cancel":
        return await cancel(runner, requireId(positional[0], "cancel"), json);
      case "resume":
        return await resume(runner, requireId(positional[0], "resume"));
      default:
        throw new UsageError(`unknown subcommand "executions ${sub}"; use list, get ID, cancel ID or resume ID`);
    }
  } finally {
    await runner.close();
  }
}

function requireId(id: string | undefined, sub: string): string {
  if (!id) throw new UsageError(`aloft executions ${sub} needs an execution id (see aloft executions list)`);
  return id;
}

/** The flags of `executions` that take a value: what follows them is no id. */
const VALUED_FLAGS = new Set(["--limit", "--domain", "--status"]);

const STATUSES: readonly ExecutionStatus[] = ["running", "succeeded", "failed", "cancelled"];

export interface ListOptions {
  limit: number;
  /** Only this domain's executions; every domain's when absent. */
  domain?: string;
  /** Only executions with this status; all when absent. */
  status?: ExecutionStatus;
}

function listOptionsOf(args: string[]): ListOptions {
  const options: ListOptions = { limit: 20 };
  const limit = args.indexOf("--limit");
  if (limit >= 0) {
    const n = Number(args[limit + 1]);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit expects a positive whole number, got "${args[limit + 1] ?? ""}"`);
    options.limit = n;
  }
  const domain = args.indexOf("--domain");
  if (domain >= 0) {
    const value = args[domain + 1];
    if (value === undefined || value.startsWith("--")) throw new UsageError("--domain needs a value: aloft executions list --domain D");
    const problem = scopeNameProblem("--domain", value);
    if (problem) throw new UsageError(problem);
    options.domain = value;
  }
  const status = args.indexOf("--status");
  if (status >= 0) {
    const value = args[status + 1];
    if (!STATUSES.includes(value as ExecutionStatus)) throw new UsageError(`--status expects one of ${STATUSES.join(", ")}, got "${value ?? ""}"`);
    options.status = value as ExecutionStatus;
  }
  return options;
}

async function list(runner: LocalRunner, json: boolean, options: ListOptions): Promise<number> {
  const executions = await runner.store.listExecutions(options);
  if (json) {
    process.stdout.write(`${JSON.stringify(executions.map(summary))}\n`);
    return 0;
  }
  if (!executions.length) {
    const filtered = options.status !== undefined || options.domain !== undefined;
    const which = `no${options.status ? ` ${options.status}` : ""} executions${options.domain ? ` in domain ${options.domain}` : ""}`;
    process.stdout.write(filtered ? `${which}\n` : "no executions yet: start one with aloft run FILE ENTITY\n");
    return 0;
  }
  for (const e of executions) {
    const took = e.endedAt ? formatDuration(e.endedAt - e.createdAt) : "";
    process.stdout.write(`${e.id}  ${localStatusText(runner, e).padEnd(20)} ${e.entity.padEnd(24)} ${new Date(e.createdAt).toISOString()}  ${e.domain.padEnd(12)} ${dim(took)}\n`);
  }
  return 0;
}

async function get(runner: LocalRunner, id: string, json: boolean): Promise<number> {
  const execution = await findExecution(runner, id);
  const nodes = await runner.store.listNodes(id);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ ...summary(execution), inputs: localizeValue(execution.inputs, runner.blobs), outputs: localizeValue(execution.outputs, runner.blobs), error: execution.error, nodes: nodes.map((n) => nodeSummary(n, runner)) })}\n`,
    );
    return 0;
  }
  process.stdout.write(`${bold(execution.id)}  ${localStatusText(runner, execution)}  ${execution.kind} ${bold(execution.entity)}  ${dim(execution.file)}\n`);
  process.stdout.write(`project ${execution.project}, domain ${execution.domain}\n`);
  process.stdout.write(`created ${new Date(execution.createdAt).toISOString()}${execution.endedAt ? `, took ${formatDuration(execution.endedAt - execution.createdAt)}` : ""}\n\n`);
  const items = new Map<string, NodeRecord[]>();
  for (const node of nodes) {
    if (node.kind === "item") items.set(node.parentId!, [...(items.get(node.parentId!) ?? []), node]);
  }
  for (const node of nodes) {
    if (node.kind === "item") continue;
    const depth = node.id.split("/").length - 1;
    const took = node.startedAt && node.endedAt ? formatDuration(node.endedAt - node.startedAt) : "";
    const extra = node.cached ? "cached" : node.attempts > 1 ? `${node.attempts} attempts` : "";
    const mapped = items.get(node.id);
    const mapText = mapped ? ` ${mapped.filter((i) => i.status === "succeeded").length}/${mapped.length} items succeeded` : "";
    process.stdout.write(`${"  ".repeat(depth)}${statusText(node.status).padEnd(20)} ${node.id.padEnd(32)} ${dim([took, extra].filter(Boolean).join(", "))}${mapText}\n`);
    if (node.status === "failed" && node.error) process.stdout.write(`${"  ".repeat(depth + 1)}${node.error.message.split("\n")[0]}\n`);
  }
  if (execution.outputs !== undefined) process.stdout.write(`\n${bold("outputs")}\n${formatOutputs(execution.outputs, runner.blobs)}\n`);
  if (execution.error) process.stdout.write(`\n${formatError(execution.error)}\n`);
  return 0;
}

async function cancel(runner: LocalRunner, id: string, json: boolean): Promise<number> {
  await findExecution(runner, id);
  const after = await runner.cancel(id);
  if (json) process.stdout.write(`${JSON.stringify(summary(after))}\n`);
  return reportCancel(id, after.status, json);
}

async function resume(runner: LocalRunner, id: string): Promise<number> {
  await findExecution(runner, id);
  const progress = new ProgressView(process.stderr);
  process.stderr.write(`${bold("↻")} resuming execution ${bold(id)}\n`);
  const record = await runner.resume(id, { listener: progress.listener });
  progress.stop();
  if (record.status === "succeeded") {
    process.stderr.write(`${green("✓")} ${record.entity} succeeded\n`);
    process.stdout.write(`${bold("outputs")}\n${formatOutputs(record.outputs, runner.blobs)}\n`);
    return 0;
  }
  process.stderr.write(`${red("✗")} ${record.entity} ${record.status}\n`);
  if (record.error) process.stderr.write(`${formatError(record.error)}\n`);
  return 1;
}

export async function findExecution(runner: LocalRunner, id: string): Promise<ExecutionRecord> {
  const execution = await runner.store.getExecution(id);
  if (!execution) {
    const recent = (await runner.store.listExecutions({ limit: 5 })).map((e) => e.id);
    throw new UsageError(`no execution "${id}" in ${runner.workspace.database}${recent.length ? `; recent: ${recent.join(", ")}` : ""}`, 1);
  }
  return execution;
}

function summary(e: ExecutionRecord) {
  return { executionId: e.id, project: e.project, domain: e.domain, entity: e.entity, kind: e.kind, file: e.file, status: e.status, createdAt: new Date(e.createdAt).toISOString(), endedAt: e.endedAt ? new Date(e.endedAt).toISOString() : null };
}

function nodeSummary(n: NodeRecord, runner: LocalRunner) {
  return { id: n.id, entity: n.entity, kind: n.kind, status: n.status, cached: n.cached, attempts: n.attempts, startedAt: n.startedAt ?? null, endedAt: n.endedAt ?? null, outputs: localizeValue(n.outputs, runner.blobs), error: n.error ?? null };
}

/**
 * An execution's status as a person reads it: a local run still `running`
 * whose process is gone (killed, interrupted) waits for resume or cancel.
 * A runner service's executions (submitted: they have a descriptor) are its own to say.
 */
function localStatusText(runner: LocalRunner, execution: ExecutionRecord): string {
  const interrupted = execution.status === "running" && execution.descriptor === undefined && ExecutionLock.holder(runner.workspace.locks, execution.id) === undefined;
  return interrupted ? yellow("interrupted") : statusText(execution.status);
}

function statusText(status: string): string {
  const paint = status === "succeeded" ? green : status === "failed" ? red : (s: string) => s;
  return paint(status);
}
