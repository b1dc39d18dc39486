/**
 * `aloft debug ID NODE [--port N] [--json] [--remote|--runner URL --token T]`:
 * waits until NODE (a node id, or a task's name) of an execution run with
 * `--debug` is paused, then opens a local port a debugger attaches to,
 * relayed by the runner to the attempt's inspector, wherever it runs. It
 * stays until the attempt or the execution ends, or Ctrl-C. With `--local`,
 * a finished node is replayed on this machine instead (replay-command.ts).
 */
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { AloftError } from "../../compiler/errors.ts";
import { DebuggerRelay } from "../remote/debugger-relay.ts";
import type { RunnerClient } from "../remote/runner-client.ts";
import type { DebuggerMessage, EventMessage } from "../service/protocol.ts";
import { findWorkspace } from "../workspace.ts";
import { bold, dim, yellow } from "./format.ts";
import { runnerClient, takeRunnerFlags } from "./runner-flags.ts";
import { UsageError } from "./usage.ts";

const USAGE = "aloft debug ID NODE [--port N] [--json] [--runner URL] [--token T], or aloft debug ID NODE --local [--no-pause] [--json] [--remote|--runner URL]";

export async function debugCommand(args: string[]): Promise<number> {
  // A finished node, run again here with its recorded inputs: see replay-command.ts.
  if (args.includes("--local")) return (await import("./replay-command.ts")).replayCommand(args.filter((arg) => arg !== "--local"));
  const flags = takeRunnerFlags(args);
  let port = 0;
  let json = false;
  const positional: string[] = [];
  for (let i = 0; i < flags.rest.length; i++) {
    const arg = flags.rest[i]!;
    if (arg === "--json") json = true;
    else if (arg === "--port") port = portNumber(flags.rest[++i]);
    else if (arg.startsWith("--")) throw new UsageError(`aloft debug does not take ${arg}: ${USAGE}`);
    else positional.push(arg);
  }
  const [executionId, node, extra] = positional;
  if (!executionId || !node || extra) throw new UsageError(`aloft debug needs an execution id and a node: ${USAGE}`);
  const workspace = findWorkspace();
  const client = runnerClient(flags, workspace);
  return relayUntilDone(client, executionId, node, port, json, workspace.bundles);
}

async function relayUntilDone(client: RunnerClient, executionId: string, node: string, port: number, json: boolean, localBundles: string): Promise<number> {
  const stop = new AbortController();
  let relay: DebuggerRelay | undefined;
  let paused: DebuggerMessage | undefined;
  let ending: string | undefined;
  const finish = (why: string) => {
    ending ??= why;
    stop.abort();
  };
  process.once("SIGINT", () => finish("stopped"));
  process.once("SIGTERM", () => finish("stopped"));
  const onMessage = (message: EventMessage) => {
    if (message.type === "debugger" && !paused && (message.nodeId === node || message.entity === node)) {
      paused = message;
      void openRelay(message);
    } else if (message.type === "node" && paused && message.node.id === paused.nodeId && message.node.status !== "running") {
      finish(`node ${paused.nodeId} ${message.node.status}`);
    } else if (message.type === "snapshot" && message.execution.status !== "running") {
      finish(`execution ${executionId} has ${message.execution.status}`);
    } else if (message.type === "end") {
      finish(`execution ${executionId} ${message.execution.status}`);
    }
  };
  let relayFailure: unknown;
  const openRelay = async (target: DebuggerMessage) => {
    try {
      relay = await DebuggerRelay.listen(client, target, { port, onProblem: (problem) => process.stderr.write(`${yellow("!")} ${problem}\n`) });
    } catch (error) {
      relayFailure = error;
      return finish("could not listen");
    }
    const address = `127.0.0.1:${relay.port}`;
    const websocketAddress = `ws://${address}${target.inspectorPath}`;
    if (json) {
      const { executionId: id, nodeId, entity, attempt, bundlePath } = target;
      const localBundlePath = localCopyOf(bundlePath, localBundles);
      process.stdout.write(`${JSON.stringify({ executionId: id, nodeId, entity, attempt, port: relay.port, websocketAddress, bundlePath, localBundlePath })}\n`);
    } else {
      process.stderr.write(
        `${yellow("⏸")} ${bold(target.entity)} (node ${target.nodeId}, attempt ${target.attempt}) waits for a debugger at ${bold(address)}, relayed by ${client.endpoint.url}\n` +
          dim(`  VS Code: { "type": "node", "request": "attach", "address": "127.0.0.1", "port": ${relay.port}, "websocketAddress": "${websocketAddress}" }\n  Chrome: chrome://inspect, then Configure… ${address}\n  Ctrl-C stops the relay.\n`),
      );
    }
  };
  // The node may not have started yet: say what is awaited, so a quiet terminal is not mistaken for a hang.
  if (!json) process.stderr.write(dim(`waiting for ${node} of execution ${executionId} to pause for a debugger (Ctrl-C stops)\n`));
  try {
    await client.events(executionId, { signal: stop.signal }, onMessage);
  } finally {
    await relay?.close();
  }
  if (relayFailure) {
    const reason = relayFailure instanceof Error ? relayFailure.message : String(relayFailure);
    throw new AloftError({ code: "DEBUG_PORT_UNAVAILABLE", field: "--port", message: `cannot listen on 127.0.0.1:${port} for the debugger: ${reason}` });
  }
  if (!paused) {
    throw new AloftError({
      code: "DEBUGGER_NOT_WAITING",
      message: `${ending ?? `execution ${executionId} ended`} before node "${node}" paused for a debugger; run it with aloft run --remote --debug ${node} …, or replay a finished node with aloft debug ${executionId} ${node} --local`,
    });
  }
  if (!json) process.stderr.write(dim(`relay closed: ${ending ?? "done"}\n`));
  return 0;
}

/**
 * This workspace's copy of the bundle the attempt runs: bundles sit in
 * folders named by their code's hash wherever they are unpacked, and the
 * submitting CLI kept its own under `.aloft/bundles/`.
 */
function localCopyOf(bundlePath: string, localBundles: string): string | null {
  const local = join(localBundles, basename(dirname(bundlePath)), basename(bundlePath));
  return existsSync(local) ? local : null;
}

function portNumber(text: string | undefined): number {
  const n = Number(text);
  if (!text || !Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port expects a port number from 0 to 65535 (0: any free port), got ${text === undefined ? "nothing" : `"${text}"`}`);
  return n;
}
