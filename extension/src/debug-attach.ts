/**
 * Attaches VS Code's JavaScript debugger to an attempt paused by `--debug`:
 * `aloft debug ID NODE --json` (the folder's CLI) waits for the pause, opens
 * a local port relayed by the runner to the attempt's inspector and prints
 * where; the debugger attaches there with the bundle's source map, so
 * breakpoints in the `.ts` bind. The relay lives as long as the session.
 */
import { spawn } from "node:child_process";
import { debug, type DebugSession, type Disposable, type WorkspaceFolder } from "vscode";
import { attachConfiguration, relayReady, type RelayReady } from "./debug-config.ts";
import type { RunnerEndpoint } from "./runner-client.ts";

export interface AttachRequest {
  runtime: string;
  cli: string;
  folder: WorkspaceFolder;
  endpoint: RunnerEndpoint;
  executionId: string;
  node: string;
  /**
   * Replay the finished node on this machine (`aloft debug --local`) instead
   * of relaying to a paused attempt: the replay ends on its own, and its last
   * line (the outcome) goes to `onReplayed`.
   */
  replay?: { onReplayed: (outcome: ReplayOutcome) => void };
}

/** The last line `aloft debug --local --json` prints. */
export interface ReplayOutcome {
  status: "succeeded" | "failed";
  error?: { message: string };
  sameAsRecorded: boolean | null;
}

function reportReplay(child: ReturnType<typeof spawn>, onReplayed: (outcome: ReplayOutcome) => void): void {
  let stdout = "";
  child.stdout!.on("data", (chunk: string) => (stdout += chunk));
  child.once("close", () => {
    const last = stdout.trim().split("\n").pop() ?? "";
    try {
      const outcome = JSON.parse(last) as Partial<ReplayOutcome>;
      if (outcome.status === "succeeded" || outcome.status === "failed") onReplayed(outcome as ReplayOutcome);
    } catch {
      // No outcome line: the replay was stopped; the debug session said what happened.
    }
  });
}

/** Resolves once the debugger is attached; the relay ends with the session (or the attempt). */
export async function attachDebugger(request: AttachRequest): Promise<DebugSession | undefined> {
  const args = [request.cli, "debug", request.executionId, request.node, "--json", ...(request.replay ? ["--local"] : []), "--runner", request.endpoint.url];
  const child = spawn(request.runtime, args, {
    cwd: request.folder.uri.fsPath,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: "1", NO_COLOR: "1", ALOFT_TOKEN: request.endpoint.token },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let ready: RelayReady;
  try {
    ready = await relayReady(child);
  } catch (error) {
    child.kill();
    throw error;
  }
  const config = attachConfiguration(ready);
  if (request.replay) reportReplay(child, request.replay.onReplayed);
  let session: DebugSession | undefined;
  const subscriptions: Disposable[] = [
    debug.onDidStartDebugSession((started) => {
      if (started.configuration.name === config.name) session ??= started;
    }),
    debug.onDidTerminateDebugSession((ended) => {
      if (ended.configuration.name !== config.name) return;
      // A relay serves this session alone; a replay runs on to its outcome.
      if (!request.replay) child.kill();
      subscriptions.forEach((s) => s.dispose());
    }),
  ];
  child.once("close", () => subscriptions.forEach((s) => s.dispose()));
  if (!(await debug.startDebugging(request.folder, config))) {
    child.kill();
    throw new Error(`VS Code could not start the debug session ${config.name}`);
  }
  return session;
}
