/**
 * `aloft runner start [--port N] [--host H] [--db sqlite:PATH|postgres://…]
 * [--store file:DIR] [--workers N] [--kubeconfig FILE] [--context NAME]
 * [--namespace NS] [--advertise-url URL] [--max-pods N] [--qps N --burst N] [--heartbeat DURATION]
 * [--attempt-token-ttl DURATION] [--replica-id ID] [--lease DURATION]`: the runner service in the foreground, until SIGINT or SIGTERM.
 */
import { join, resolve } from "node:path";
import { ensureAdminToken } from "../service/admin-token-file.ts";
import { aloftVersion } from "../service/aloft-version.ts";
import { DEFAULT_RUNNER_PORT } from "../service/protocol.ts";
import { assembleRunner, replicaIdFor, type AssembledRunner, type RunnerSettings } from "../service/runner-setup.ts";
import { openStore } from "../store/open-store.ts";
import { isPostgresUrl, parsePostgresUrl } from "../store/postgres-url.ts";
import { findWorkspace } from "../workspace.ts";
import { parseDurationText } from "../../compiler/duration.ts";
import { UsageError } from "./usage.ts";

interface StartOptions {
  port: number;
  host: string;
  /** `sqlite:PATH` (absolute) or a `postgres://` URL; the workspace's `.aloft/state.db` unless --db says otherwise. */
  database?: string;
  /** Blob store folder; the workspace's `.aloft/blobs` unless --store says otherwise. */
  blobRoot?: string;
  workers?: number;
  replicaId?: string;
  /** How long an execution stays this replica's without renewal; another replica takes it over after. */
  leaseMs?: number;
  kubernetes?: NonNullable<RunnerSettings["kubernetes"]>;
}

const KUBERNETES_FLAGS = ["--context", "--namespace", "--advertise-url", "--max-pods", "--qps", "--burst", "--heartbeat", "--attempt-token-ttl"];

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
      case "--store":
        options.blobRoot = parseBlobStore(value());
        break;
      case "--workers":
        options.workers = positive(value(), flag);
        break;
      case "--replica-id":
        options.replicaId = value();
        break;
      case "--lease": {
        const text = value();
        const ms = parseDurationText(text);
        if (ms === undefined || ms < 3000) throw new UsageError(`--lease expects a duration of at least 3s, like 15s or 1m; got "${text}"`);
        options.leaseMs = ms;
        break;
      }
      case "--kubeconfig":
        kube().file = resolve(value());
        break;
      case "--context":
        kube().context = value();
        break;
      case "--namespace":
        kube().namespace = value();
        break;
      case "--advertise-url":
        kube().advertiseUrl = parseUrl(value());
        break;
      case "--max-pods":
        kube().maxPods = positive(value(), flag);
        break;
      case "--qps":
        kube().rateLimit = { qps: positive(value(), flag), burst: kube().rateLimit?.burst ?? 40 };
        break;
      case "--burst":
        kube().rateLimit = { qps: kube().rateLimit?.qps ?? 20, burst: positive(value(), flag) };
        break;
      case "--heartbeat": {
        const text = value();
        const ms = parseDurationText(text);
        if (ms === undefined || ms < 1000) throw new UsageError(`--heartbeat expects a duration of at least 1s, like 10s; got "${text}"`);
        kube().heartbeatMs = ms;
        break;
      }
      case "--attempt-token-ttl": {
        const text = value();
        const ms = parseDurationText(text);
        if (ms === undefined || ms < 2000) throw new UsageError(`--attempt-token-ttl expects a duration of at least 2s, like 1h; got "${text}"`);
        kube().attemptTokenTtlMs = ms;
        break;
      }
      default:
        throw new UsageError(
          `aloft runner start does not take "${arg}"; it takes --port N, --host H, --db sqlite:PATH|postgres://…, --store file:DIR, --workers N, --replica-id ID, --lease DURATION, and for Kubernetes --kubeconfig FILE, ${KUBERNETES_FLAGS.join(", ")}`,
        );
    }
  }
  return options;

  function kube(): NonNullable<StartOptions["kubernetes"]> {
    options.kubernetes ??= {};
    return options.kubernetes;
  }
}

function positive(text: string, flag: string | undefined): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new UsageError(`${flag} expects a positive whole number, got "${text}"`);
  return n;
}

function parseUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol === "http:" || url.protocol === "https:") return text.replace(/\/+$/, "");
  } catch {
    // fall through to the message
  }
  throw new UsageError(`--advertise-url expects the runner's URL as pods reach it, like http://runner.aloft.svc:7878; got "${text}"`);
}

function parseBlobStore(text: string): string {
  if (text.startsWith("file:") && text.length > "file:".length) return resolve(text.slice("file:".length));
  if (text.startsWith("s3://")) throw new UsageError("--store s3://… is not supported yet; use --store file:DIR (a folder every replica mounts)");
  throw new UsageError(`--store expects file:DIR, got "${text}"`);
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`--port expects a port number from 0 to 65535 (0: any free port), got "${text}"`);
  return port;
}

function parseDatabase(text: string): string {
  if (isPostgresUrl(text)) {
    try {
      parsePostgresUrl(text);
    } catch (error) {
      throw new UsageError(`--db: ${(error as Error).message}`);
    }
    return text;
  }
  if (!text.startsWith("sqlite:") || text.length === "sqlite:".length) {
    throw new UsageError(`--db expects sqlite:PATH (a SQLite file) or postgres://USER@HOST[:PORT]/DATABASE, got "${text}"`);
  }
  return `sqlite:${resolve(text.slice("sqlite:".length))}`;
}

async function start(options: StartOptions): Promise<number> {
  const workspace = findWorkspace();
  const store = await openStore(options.database ?? workspace.database);
  const database = store.location;
  let runner: AssembledRunner | undefined;
  try {
    const token = await ensureAdminToken(store, workspace.runnerToken);
    if (token.kind === "created") {
      const replaced = token.replaced ? `, replacing the one there, which ${database} does not know as an admin token` : "";
      process.stdout.write(`aloft runner: created an admin token and wrote it to ${token.path} (mode 0600${replaced}); clients send it as "Authorization: Bearer TOKEN"\n`);
    } else {
      process.stdout.write(`aloft runner: using the admin token in ${token.path}${token.tightenedMode ? " (its mode was looser than 0600: set to 0600)" : ""}\n`);
    }
    const blobRoot = options.blobRoot ?? workspace.blobs;
    runner = assembleRunner({
      store,
      version: aloftVersion(),
      blobRoot,
      stateDir: workspace.stateDir,
      replicaId: options.replicaId ?? replicaIdFor(join(workspace.stateDir, "runner-id")),
      ...(options.workers ? { workers: options.workers } : {}),
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
      ...(options.kubernetes ? { kubernetes: options.kubernetes } : {}),
    });
    const stopped = stopSignal();
    const url = await runner.start(options.port, options.host);
    process.stdout.write(`aloft runner: state in ${database}, blobs in ${blobRoot}\n`);
    process.stdout.write(`aloft runner: tasks run on ${runner.backend.description}\n`);
    process.stdout.write(`aloft runner listening on ${url}\n`);
    const signal = await stopped;
    process.stdout.write(`aloft runner: ${signal} received, stopping\n`);
    return 0;
  } finally {
    await runner?.close();
    await store.close();
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
