/**
 * The parts of attaching a debugger that need no VS Code: which entities a
 * file's lenses offer to stop in, what `aloft debug --json` printed, and
 * the attach configuration made of it.
 */
import type { ChildProcess } from "node:child_process";
import { dirname } from "node:path";
import type { DebugConfiguration } from "vscode";
import { DEBUG_COMMAND, type EntityCommandArgument } from "../../server/protocol.ts";

/** The tasks and dynamics among the lenses' arguments, once each, in file order (exported for its unit test). */
export function debuggableEntities(lenses: readonly { command?: { command: string; arguments?: unknown[] } }[]): EntityCommandArgument[] {
  const seen = new Map<string, EntityCommandArgument>();
  for (const lens of lenses) {
    if (lens.command?.command !== DEBUG_COMMAND) continue;
    const argument = lens.command.arguments?.[0] as EntityCommandArgument | undefined;
    if (argument && (argument.kind === "task" || argument.kind === "dynamic") && !seen.has(argument.entity)) seen.set(argument.entity, argument);
  }
  return [...seen.values()];
}

/** What `aloft debug --json` prints once the attempt is paused and the port is open. */
export interface RelayReady {
  executionId: string;
  nodeId: string;
  entity: string;
  attempt: number;
  port: number;
  websocketAddress: string;
  /** The bundle where the attempt runs, and this machine's copy of it when it is elsewhere (a pod). */
  bundlePath: string;
  localBundlePath: string | null;
}

/**
 * The attach configuration for a relayed attempt. The bundle's source map
 * names the `.ts` files relative to where the CLI bundled them, so a bundle
 * unpacked in another folder (a pod's, a runner's) is mapped to the local
 * copy the CLI submitted (both folders are named by the code's hash).
 */
export function attachConfiguration(ready: RelayReady): DebugConfiguration {
  const config: DebugConfiguration = {
    type: "node",
    request: "attach",
    name: `aloft: ${ready.entity} (${ready.executionId})`,
    address: "127.0.0.1",
    port: ready.port,
    websocketAddress: ready.websocketAddress,
    sourceMaps: true,
    skipFiles: ["<node_internals>/**"],
  };
  if (ready.localBundlePath && dirname(ready.localBundlePath) !== dirname(ready.bundlePath)) {
    config.remoteRoot = dirname(ready.bundlePath);
    config.localRoot = dirname(ready.localBundlePath);
  }
  return config;
}

/** Reads the relay's first line; rejects with what the CLI said when it ends first. */
export function relayReady(child: ChildProcess): Promise<RelayReady> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf("\n");
      if (newline < 0) return;
      try {
        resolve(JSON.parse(stdout.slice(0, newline)) as RelayReady);
      } catch {
        reject(new Error(`aloft debug printed ${JSON.stringify(stdout.slice(0, 200))}, not the relay's address`));
      }
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error) => reject(error));
    child.on("close", (code) => reject(new Error(stderr.replace(/\u001b\[[0-9;]*m/g, "").replace(/^error \[[A-Z_0-9]+\] /, "").trim() || `aloft debug exited with ${code}`)));
  });
}

