/**
 * `aloft debug ID NODE --local [--no-pause] [--json] [--remote|--runner URL --token T]`:
 * runs one finished node of an execution again on this machine, with
 * exactly the inputs it received (from the local store, or fetched from the
 * runner with the execution's bundle and the blobs they name), paused for a
 * debugger unless --no-pause. Exit 0 when the replay succeeded, 1 when it
 * failed (the error reproduced, or another one).
 */
import { BlobStore } from "../blobs/blob-store.ts";
import { canonicalJson } from "../data/canonical-json.ts";
import type { WireValue } from "../data/wire.ts";
import { LocalRunner } from "../local-runner.ts";
import type { ErrorInfo } from "../../compiler/errors.ts";
import { findWorkspace, type Workspace } from "../workspace.ts";
import { bold, dim, formatDuration, formatError, formatOutputs, green, localizeValue, red, yellow } from "./format.ts";
import { replayNode, type ReplayOutcome } from "./replay-node.ts";
import { localReplayPlan, remoteReplayPlan, type ReplayPlan } from "./replay-source.ts";
import { debuggerHint } from "./run-command.ts";
import { runnerClient, takeRunnerFlags } from "./runner-flags.ts";
import { UsageError } from "./usage.ts";

const USAGE = "aloft debug ID NODE --local [--no-pause] [--json] [--remote|--runner URL --token T]";

/** `args` are `aloft debug`'s, without `--local`. */
export async function replayCommand(args: string[]): Promise<number> {
  const flags = takeRunnerFlags(args);
  let json = false;
  let pause = true;
  const positional: string[] = [];
  for (const arg of flags.rest) {
    if (arg === "--json") json = true;
    else if (arg === "--no-pause") pause = false;
    else if (arg === "--port") throw new UsageError(`--port sets the port of a relay to a runner; a local replay's inspector listens on a free port, printed when it waits: ${USAGE}`);
    else if (arg.startsWith("--")) throw new UsageError(`aloft debug --local does not take ${arg}: ${USAGE}`);
    else positional.push(arg);
  }
  const [executionId, node, extra] = positional;
  if (!executionId || !node || extra) throw new UsageError(`aloft debug --local needs an execution id and a node: ${USAGE}`);
  const workspace = findWorkspace();
  const blobs = new BlobStore(workspace.blobs);
  const plan = flags.remote
    ? await remoteReplayPlan(runnerClient(flags, workspace), blobs, workspace.bundles, executionId, node)
    : await fromLocalStore(workspace, executionId, node);
  if (!json) announce(plan, blobs);
  else if (plan.note) process.stderr.write(`${dim(plan.note)}\n`);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let outcome: ReplayOutcome;
  try {
    outcome = await replayNode(plan, {
      pause,
      blobRoot: workspace.blobs,
      signal: stop.signal,
      onLog: (_stream, text) => process.stderr.write(prefixed(plan.node.id, text)),
      onDebugger: (endpoint, attempt) => {
        const { node: recorded } = plan;
        if (json) {
          const websocketAddress = `ws://127.0.0.1:${endpoint.port}${endpoint.path}`;
          // The bundle is on this machine: it is its own local copy.
          process.stdout.write(`${JSON.stringify({ executionId, nodeId: recorded.id, entity: recorded.entity, attempt, port: endpoint.port, websocketAddress, bundlePath: endpoint.bundlePath, localBundlePath: endpoint.bundlePath })}\n`);
        } else {
          process.stderr.write(`${yellow("⏸")} ${debuggerHint({ type: "debugger", nodeId: recorded.id, entity: recorded.entity, attempt, endpoint }, "local")}\n`);
        }
      },
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  if (stop.signal.aborted) {
    process.stderr.write(`${dim(`replay of ${plan.node.id} stopped`)}\n`);
    return 130;
  }
  return report(plan, outcome, blobs, json);
}

async function fromLocalStore(workspace: Workspace, executionId: string, node: string): Promise<ReplayPlan> {
  const runner = new LocalRunner(workspace);
  try {
    return await localReplayPlan(runner, executionId, node);
  } catch (error) {
    if (error instanceof UsageError && error.message.startsWith(`no execution "${executionId}"`)) {
      throw new UsageError(`${error.message}; for one on a runner service add --remote or --runner URL`, error.exitCode);
    }
    throw error;
  } finally {
    await runner.close();
  }
}

function announce(plan: ReplayPlan, blobs: BlobStore): void {
  const { node } = plan;
  const recorded = node.status === "failed" && node.error ? `failed: ${node.error.message}` : node.status;
  process.stderr.write(
    `${bold("↻")} replaying node ${bold(node.id)} (${node.kind} ${node.entity}) of execution ${bold(plan.executionId)} ${plan.where}\n` +
      (plan.note ? `${dim(`  ${plan.note}`)}\n` : "") +
      `${bold("inputs")} ${dim("(as recorded)")}\n${Object.keys(node.inputs).length ? formatOutputs(node.inputs, blobs) : "  (none)"}\n` +
      dim(`  recorded: ${node.attempts ? `attempt ${node.attempts} ` : ""}${recorded}\n`),
  );
}

function report(plan: ReplayPlan, outcome: ReplayOutcome, blobs: BlobStore, json: boolean): number {
  const { node } = plan;
  const { result } = outcome;
  const outputs: WireValue | undefined = result.ok && "output" in result ? result.output : undefined;
  const error: ErrorInfo | undefined = result.ok ? undefined : result.error;
  const status = result.ok ? "succeeded" : "failed";
  const same = sameAsRecorded(node, status, outputs, error);
  if (json) {
    const recorded = { status: node.status, outputs: localizeValue(node.outputs, blobs), error: node.error ?? null };
    process.stdout.write(
      `${JSON.stringify({ executionId: plan.executionId, nodeId: node.id, entity: node.entity, attempt: outcome.attempt, status, outputs: localizeValue(outputs, blobs), ...(error ? { error } : {}), ...("graph" in result ? { graph: result.graph } : {}), recorded, sameAsRecorded: same ?? null })}\n`,
    );
  } else if (result.ok) {
    process.stderr.write(`${green("✓")} ${node.id} succeeded in ${formatDuration(outcome.durationMs)}\n`);
    if ("graph" in result) process.stdout.write(`${bold("graph")} ${result.graph.nodes.length} node(s): ${result.graph.nodes.map((n) => n.id).join(", ")}\n`);
    else process.stdout.write(`${bold("outputs")}\n${formatOutputs(outputs, blobs)}\n`);
  } else {
    process.stderr.write(`${red("✗")} ${node.id} failed after ${formatDuration(outcome.durationMs)}\n${formatError(result.error)}\n`);
  }
  if (!json && same !== undefined) process.stderr.write(`${(same ? dim : yellow)(comparison(node, status, same))}\n`);
  return result.ok ? 0 : 1;
}

/** Whether the replay ended as the recorded node did: the same output, or the same error. Undefined when there is nothing to compare (a dynamic's graph). */
function sameAsRecorded(node: ReplayPlan["node"], status: string, outputs: WireValue | undefined, error: ErrorInfo | undefined): boolean | undefined {
  if (node.kind === "dynamic") return undefined;
  if (status !== node.status) return false;
  if (error) return node.error?.code === error.code && node.error.message === error.message;
  return canonicalJson(outputs ?? null) === canonicalJson(node.outputs ?? null);
}

function comparison(node: ReplayPlan["node"], status: string, same: boolean): string {
  if (same) return status === "failed" ? "  reproduced: the recorded attempt failed with the same error" : "  the same output as recorded";
  if (node.status === "failed") return `  the recorded attempt failed differently: ${node.error?.message ?? "(no error recorded)"}`;
  if (node.status === "succeeded") return status === "failed" ? "  the recorded attempt succeeded" : "  the output differs from the recorded one";
  return `  the recorded node is ${node.status}`;
}

function prefixed(nodeId: string, text: string): string {
  return text.replace(/\n$/, "").split("\n").map((line) => `${dim(`[${nodeId}]`)} ${line}\n`).join("");
}
