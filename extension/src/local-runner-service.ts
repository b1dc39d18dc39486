/**
 * The runner service the editor runs locally for one workspace folder:
 * `node <cli> runner start --port 0 --replica-id vscode-<hex>` in that
 * folder, so its state is the folder's `.aloft/` (what `aloft executions
 * list` there shows). It prints the URL it listens on and where its admin
 * token is; the token is read from that file and never passed around on a
 * command line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { RunnerEndpoint } from "./runner-client.ts";

export interface RunnerLaunch {
  /** The Node that runs the CLI. */
  runtime: string;
  /** aloft's dist/cli.js. */
  cli: string;
  /** The workspace folder: the service's working directory. */
  folder: string;
}

export interface LocalRunnerService extends RunnerEndpoint {
  replicaId: string;
  /** Settles with how the process ended (`exit 0`, `signal SIGTERM`). */
  exited: Promise<string>;
  stop(): Promise<void>;
}

const LISTENING = /^aloft runner listening on (\S+)/;
/** "created an admin token and wrote it to PATH (mode 0600…" or "using the admin token in PATH". */
const TOKEN_FILE = /admin token (?:and wrote it to|in) (.+?)(?: \(|$)/;
const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 5_000;

export function startLocalRunner(launch: RunnerLaunch, log: (line: string) => void): Promise<LocalRunnerService> {
  const replicaId = `vscode-${randomBytes(6).toString("hex")}`;
  const args = [launch.cli, "runner", "start", "--port", "0", "--replica-id", replicaId];
  log(`starting the local runner: ${launch.runtime} ${args.join(" ")} (in ${launch.folder})`);
  const child = spawn(launch.runtime, args, {
    cwd: launch.folder,
    // Without ELECTRON_RUN_AS_NODE a configured Electron would open a window instead of running the script.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: "1", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<string>((resolve) => {
    child.on("exit", (code, signal) => resolve(signal ? `signal ${signal}` : `exit ${code}`));
    child.on("error", (error) => resolve(`not started: ${error.message}`));
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => {
    stderr.push(line);
    if (stderr.length > 20) stderr.shift();
    log(`runner: ${line}`);
  });
  return new Promise<LocalRunnerService>((resolve, reject) => {
    let tokenFile = join(launch.folder, ".aloft", "runner-token");
    const timer = setTimeout(() => {
      void stopProcess(child, exited);
      reject(new Error(`the local runner did not say where it listens within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      log(`runner: ${line}`);
      const file = TOKEN_FILE.exec(line)?.[1];
      if (file) tokenFile = file;
      const url = LISTENING.exec(line)?.[1];
      if (!url) return;
      clearTimeout(timer);
      try {
        const token = readFileSync(tokenFile, "utf8").trim();
        resolve({ url, token, replicaId, exited, stop: () => stopProcess(child, exited) });
      } catch (error) {
        void stopProcess(child, exited);
        reject(new Error(`the local runner listens on ${url}, but its token file ${tokenFile} cannot be read: ${(error as Error).message}`));
      }
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`the local runner ended before it listened (${how})${stderr.length ? `: ${stderr.join("\n")}` : ""}`));
    });
  });
}

/** SIGTERM (the service closes its connections and store), SIGKILL if it is still there after a grace period. */
async function stopProcess(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
