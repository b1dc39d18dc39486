/**
 * One code-server for one test run: a free loopback port, fresh user-data
 * and extensions folders, the user settings of every session
 * (workbench-settings.ts), the .vsix
 * installed the way a user installs it. stop() ends it and every process it
 * started (extension host, language server), which share its process group.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { writeUserSettings } from "./workbench-settings.ts";

export interface CodeServer {
  url: string;
  /** code-server's own output (stdout and stderr). */
  logFile: string;
  /** VS Code's logs: the server's, the extension host's, and each output channel's (the aloft one included). */
  logsDir: string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  entry: string;
  vsix: string;
  /** A fresh folder this code-server keeps everything in. */
  root: string;
  /** Workspace settings a user would have; merged over the ones the test needs. */
  settings?: Record<string, unknown>;
}

/** How long code-server may take to answer /healthz on a busy two-core machine. */
const START_TIMEOUT_MS = 180_000;

export async function startCodeServer({ entry, vsix, root, settings = {} }: CodeServerOptions): Promise<CodeServer> {
  const userData = join(root, "user-data");
  const extensions = join(root, "extensions");
  mkdirSync(extensions, { recursive: true });
  writeUserSettings(userData, settings);
  // code-server keeps its config.yaml under XDG_CONFIG_HOME: inside root, not in the user's home.
  const env = { ...process.env, XDG_CONFIG_HOME: join(root, "config"), XDG_DATA_HOME: join(root, "data") };
  const dirs = ["--user-data-dir", userData, "--extensions-dir", extensions];

  const install = spawnSync(process.execPath, [entry, ...dirs, "--install-extension", vsix], { env, encoding: "utf8" });
  if (install.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (exit ${install.status ?? install.signal}):\n${install.stdout}${install.stderr}`);

  const port = await freePort();
  const logFile = join(root, "code-server.log");
  const log = createWriteStream(logFile);
  const args = [
    entry,
    "--bind-addr", `127.0.0.1:${port}`,
    "--auth", "none",
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    ...dirs,
  ];
  // Its own process group, so that stop() reaches the extension host and the language server too.
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<string>((done) => child.on("exit", (code, signal) => done(`exit ${code ?? signal}`)));
  const url = `http://127.0.0.1:${port}`;
  const server: CodeServer = { url, logFile, logsDir: join(userData, "logs"), stop: () => stopGroup(child, exited) };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const ended = await Promise.race([exited, sleep(250).then(() => undefined)]);
    if (ended) throw new Error(`code-server ended before it answered ${url}/healthz (${ended}); its log: ${logFile}`);
    if (await healthy(url)) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not answer ${url}/healthz within ${START_TIMEOUT_MS / 1000} s; its log: ${logFile}`);
    }
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`)).ok;
  } catch {
    return false;
  }
}

/** SIGTERM to the group, SIGKILL to whatever is left of it after a grace period. */
async function stopGroup(child: ChildProcess, exited: Promise<string>): Promise<void> {
  const group = -child.pid!;
  const signal = (name: NodeJS.Signals | 0) => {
    try {
      process.kill(group, name);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  if (!signal("SIGTERM")) return;
  await Promise.race([exited, sleep(10_000)]);
  // The extension host and the language server may outlive the main process for a moment.
  for (let i = 0; i < 20 && signal(0); i++) await sleep(250);
  signal("SIGKILL");
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
