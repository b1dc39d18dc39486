/**
 * Puts a runner service together from its settings: the state store, the
 * blob store and its project grants, the backend that runs tasks (local
 * processes, or Kubernetes with a kubeconfig), the execution host and the
 * HTTP server. `aloft runner start` and the tests start it the same way.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, hostname } from "node:os";
import { dirname } from "node:path";
import { BlobStore } from "../blobs/blob-store.ts";
import { ProjectBlobGrants } from "../blobs/project-blobs.ts";
import { loadKubeconfig, type KubeconfigRequest } from "../kube/kubeconfig.ts";
import type { RateLimit } from "../kube/rate-limiter.ts";
import { agentSource } from "../pod/agent-launch.ts";
import type { StateStore } from "../store/state-store.ts";
import { AttemptTokenIssuer } from "./attempt-tokens.ts";
import { EventHub } from "./event-hub.ts";
import { DebuggerAnnouncements } from "./debugger-announcements.ts";
import { PausedAttempts } from "./paused-attempts.ts";
import { ExecutionHost } from "./execution-host.ts";
import { KubernetesBackend } from "./kubernetes-backend.ts";
import { RunnerService } from "./runner-service.ts";
import { LocalProcessBackend, type TaskBackend } from "./task-backend.ts";

export interface RunnerSettings {
  store: StateStore;
  version: string;
  blobRoot: string;
  /** Where bundles are unpacked and logs kept (the workspace's `.aloft/`). */
  stateDir: string;
  replicaId: string;
  leaseMs?: number;
  /** Warm workers per execution, for the local-process backend. */
  workers?: number;
  kubernetes?: KubeconfigRequest & {
    namespace?: string;
    /** The runner's URL as pods reach it; the listening URL when unset. */
    advertiseUrl?: string;
    runnerName?: string;
    maxPods?: number;
    rateLimit?: RateLimit;
    /** How often the runner and its warm worker pods check that their connection is alive. */
    heartbeatMs?: number;
    /** How long a pod's attempt or worker token stays valid; an attempt's agent renews its token while it runs. */
    attemptTokenTtlMs?: number;
  };
  log?: (line: string) => void;
}

export const ATTEMPT_SECRET = "attempt-token-signing";
/**
 * Long enough that a task keeping its agent's event loop busy for hours (a
 * synchronous computation, a debugger paused at a breakpoint) still finds
 * its token valid when the agent next renews it.
 */
export const DEFAULT_ATTEMPT_TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

export interface AssembledRunner {
  service: RunnerService;
  host: ExecutionHost;
  backend: TaskBackend;
  /** Starts listening and driving executions; resolves with the URL. */
  start(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

export function assembleRunner(settings: RunnerSettings): AssembledRunner {
  const { store } = settings;
  const blobs = new BlobStore(settings.blobRoot);
  const grants = new ProjectBlobGrants(settings.blobRoot);
  const hub = new EventHub();
  const debuggers = new PausedAttempts();
  const announcements = new DebuggerAnnouncements();
  let secret: Promise<Buffer> | undefined;
  const attemptSecret = () => (secret ??= store.getOrCreateSecret(ATTEMPT_SECRET, () => randomBytes(32)));
  const attemptTokens = new AttemptTokenIssuer(attemptSecret, settings.kubernetes?.attemptTokenTtlMs ?? DEFAULT_ATTEMPT_TOKEN_TTL_MS);
  let listeningUrl = "";
  const backend: TaskBackend = settings.kubernetes
    ? new KubernetesBackend({
        kube: loadKubeconfig(settings.kubernetes),
        ...(settings.kubernetes.namespace ? { namespace: settings.kubernetes.namespace } : {}),
        store,
        // Read when the first pod starts, after listen() has told the URL.
        get runnerUrl() {
          return settings.kubernetes?.advertiseUrl ?? listeningUrl;
        },
        attemptSecret,
        attemptTokens,
        announcements,
        runnerName: settings.kubernetes.runnerName ?? "aloft",
        maxPods: settings.kubernetes.maxPods ?? 100,
        ...(settings.kubernetes.rateLimit ? { rateLimit: settings.kubernetes.rateLimit } : {}),
        ...(settings.kubernetes.heartbeatMs ? { heartbeatMs: settings.kubernetes.heartbeatMs } : {}),
        ...(settings.log ? { log: settings.log } : {}),
      })
    : new LocalProcessBackend({ blobRoot: settings.blobRoot, workers: settings.workers ?? Math.max(2, availableParallelism()) });
  const host = new ExecutionHost({
    store,
    blobs,
    grants,
    backend,
    hub,
    debuggers,
    stateDir: settings.stateDir,
    replicaId: settings.replicaId,
    ...(settings.leaseMs ? { leaseMs: settings.leaseMs } : {}),
    ...(settings.log ? { log: settings.log } : {}),
  });
  // Warm worker pods connect back to the Kubernetes backend's pools.
  const workers = backend instanceof KubernetesBackend ? backend.executor.warm : undefined;
  const service = new RunnerService({
    store,
    version: settings.version,
    execution: { host, hub, debuggers, announcements, blobs: { blobs, grants }, attemptSecret, attemptTokens, agentSource, ...(workers ? { workers } : {}) },
    ...(settings.log ? { log: settings.log } : {}),
  });
  return {
    service,
    host,
    backend,
    async start(port, address) {
      await backend.verify?.();
      listeningUrl = await service.listen(port, address);
      await host.start();
      return listeningUrl;
    },
    async close() {
      await service.close();
      await host.close();
      await backend.close();
    },
  };
}

/**
 * This runner's name in leases: kept in a file of its workspace, so a
 * restarted runner takes its own executions back at once instead of waiting
 * for their leases to expire.
 */
export function replicaIdFor(path: string): string {
  if (existsSync(path)) {
    const id = readFileSync(path, "utf8").trim();
    if (id) return id;
  }
  const id = `${hostname().replace(/[^a-zA-Z0-9.-]/g, "-").slice(0, 40)}-${randomBytes(4).toString("hex")}`;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${id}\n`);
  return id;
}
