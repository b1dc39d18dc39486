/**
 * `aloft runner start [--port N] [--host H] [--db sqlite:PATH]`: the runner
 * service in the foreground, until SIGINT or SIGTERM.
 */
import { resolve } from "node:path";
import { ensureAdminToken } from "../service/admin-token-file.ts";
import { aloftVersion } from "../service/aloft-version.ts";
import { DEFAULT_RUNNER_PORT } from "../service/protocol.ts";
import { RunnerService } from "../service/runner-service.ts";
import { openSqliteStore } from "../store/sqlite-store.ts";
import { findWorkspace } from "../workspace.ts";
import { UsageError } from "./usage.ts";

interface StartOptions {
  port: number;
  host: string;
  /** Path of the SQLite database; the workspace's `.aloft/state.db` unless --db says otherwise. */
  database?: string;
}

const NOT_YET: Record<string, string> = {
  "--store": "--store is not supported yet: the runner keeps blobs in the workspace's .aloft/blobs",
  "--kubeconfig": "--kubeconfig is not supported yet: the runner service does not run tasks on Kubernetes so far",
  "--context": "--context is not supported yet: the runner service does not run tasks on Kubernetes so far",
};

export async function runnerCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "start") {
    throw new UsageError(sub === undefined ? "aloft runner needs a subcommand: aloft runner start" : `unknown subcommand "runner ${sub}"; use aloft runner start`);
  }
  return start(parseStartOptions(rest));
}

export function parseStartOptions(args: string[]): StartOptions {
  const options: StartOptions = { port: DEFAULT_RUNNER_PORT, host: "127.0.0.1" };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (NOT_YET[flag!]) throw new UsageError(NOT_YET[flag!]!);
    const value = () => {
      if (inline !== undefined) return inline;
      const next = args[++i];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--port":
        options.port = parsePort(value());
        break;
      case "--host":
        options.host = value();
        break;
      case "--db":
        options.database = parseDatabase(value());
        break;
      default:
        throw new UsageError(`aloft runner start does not take "${arg}"; it takes --port N, --host H and --db sqlite:PATH`);
    }
  }
  return options;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`--port expects a port number from 0 to 65535 (0: any free port), got "${text}"`);
  return port;
}

function parseDatabase(text: string): string {
  if (/^postgres(ql)?:\/\//.test(text)) {
    throw new UsageError("--db postgres://... is not supported yet: the runner service keeps its state in SQLite; use --db sqlite:PATH or leave --db out");
  }
  if (!text.startsWith("sqlite:") || text.length === "sqlite:".length) {
    throw new UsageError(`--db expects sqlite:PATH (a SQLite file), got "${text}"`);
  }
  return resolve(text.slice("sqlite:".length));
}

async function start(options: StartOptions): Promise<number> {
  const workspace = findWorkspace();
  const database = options.database ?? workspace.database;
  const store = openSqliteStore(database);
  let service: RunnerService | undefined;
  try {
    const token = ensureAdminToken(store, workspace.runnerToken);
    if (token.kind === "created") {
      const replaced = token.replaced ? `, replacing the one there, which ${database} does not know as an admin token` : "";
      process.stdout.write(`aloft runner: created an admin token and wrote it to ${token.path} (mode 0600${replaced}); clients send it as "Authorization: Bearer TOKEN"\n`);
    } else {
      process.stdout.write(`aloft runner: using the admin token in ${token.path}${token.tightenedMode ? " (its mode was looser than 0600: set to 0600)" : ""}\n`);
    }
    service = new RunnerService({ store, version: aloftVersion() });
    const url = await service.listen(options.port, options.host);
    const stopped = stopSignal();
    process.stdout.write(`aloft runner: state in ${database}\n`);
    process.stdout.write(`aloft runner listening on ${url}\n`);
    const signal = await stopped;
    process.stdout.write(`aloft runner: ${signal} received, stopping\n`);
    return 0;
  } finally {
    await service?.close();
    store.close();
  }
}

function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
