/**
 * The runner service: an HTTP server on Node's `http` over a state store, a
 * blob store and an execution host. Every answer but a blob's bytes is JSON;
 * every failure is `{ error: { code, message } }`. The execution streams are
 * WebSockets on the same server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { StateStore } from "../store/state-store.ts";
import { AloftError } from "../../compiler/errors.ts";
import type { Caller } from "./access.ts";
import { toApiError } from "./api-error.ts";
import { attemptRoutes } from "./attempt-routes.ts";
import type { AttemptTokenIssuer } from "./attempt-tokens.ts";
import { authenticate } from "./bearer-auth.ts";
import { blobRoutes } from "./blob-routes.ts";
import type { BlobAccess } from "./blob-transfer.ts";
import type { ExecutionHost } from "./execution-host.ts";
import { executionRoutes } from "./execution-routes.ts";
import type { EventHub } from "./event-hub.ts";
import type { DebuggerAnnouncements } from "./debugger-announcements.ts";
import type { PausedAttempts } from "./paused-attempts.ts";
import { sendError, sendJson } from "./http-json.ts";
import type { HealthResponse } from "./protocol.ts";
import { Router, type Route } from "./router.ts";
import { StreamUpgrades } from "./stream-upgrade.ts";
import { submissionRoutes } from "./submission-routes.ts";
import { tokenRoutes } from "./token-routes.ts";
import type { WarmWorkerEndpoint } from "../kube/warm-pods.ts";
import { WorkerUpgrades, workerRoutes } from "./worker-routes.ts";

export interface RunnerServiceOptions {
  store: StateStore;
  version: string;
  /** What executes: omitted, the service only reads the store (no submissions). */
  execution?: {
    host: ExecutionHost;
    hub: EventHub;
    debuggers: PausedAttempts;
    /** Where pods' agents say their debug attempt is paused. */
    announcements: DebuggerAnnouncements;
    blobs: BlobAccess;
    /** The secret attempt tokens are signed with, shared by replicas through the store. */
    attemptSecret: () => Promise<Buffer>;
    /** Renews the tokens of attempts still running. */
    attemptTokens: AttemptTokenIssuer;
    agentSource: () => Promise<string>;
    /** Warm worker pods connect here (the Kubernetes backend's); without it, the worker routes answer 404. */
    workers?: WarmWorkerEndpoint;
  };
  /** Where failures the client cannot act on (500s) are told; stderr by default. */
  log?: (line: string) => void;
}

/** How long `close` lets requests in flight finish before it cuts their connections. */
const CLOSE_GRACE_MS = 2000;

export class RunnerService {
  readonly router: Router;
  private readonly server: Server;
  private readonly log: (line: string) => void;
  private readonly streams: StreamUpgrades | undefined;
  private readonly workers: WorkerUpgrades | undefined;

  constructor(private readonly options: RunnerServiceOptions) {
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    const routes = [healthRoute(options.version), ...executionRoutes(options.store)];
    const running = options.execution;
    if (running) {
      routes.push(
        ...submissionRoutes(options.store, running.host),
        ...blobRoutes(running.blobs),
        ...tokenRoutes(options.store),
        ...attemptRoutes(options.store, { access: running.blobs, agentSource: running.agentSource, debuggers: running.announcements, tokens: running.attemptTokens }),
        ...(running.workers ? workerRoutes(running.attemptSecret, running.agentSource) : []),
      );
      if (running.workers) this.workers = new WorkerUpgrades(running.workers, running.attemptSecret);
      const streamContext = { store: options.store, hub: running.hub, debuggers: running.debuggers, isDriving: (id: string) => running.host.isDriving(id) };
      this.streams = new StreamUpgrades(streamContext, (request) => this.authenticate(request), this.log);
    }
    this.router = new Router(routes);
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.workers && WorkerUpgrades.handles(request)) void this.workers.handle(request, socket, head);
      else if (this.streams) void this.streams.handle(request, socket, head);
      else socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    });
  }

  /** Listens on `host:port` (port 0: any free one) and resolves with the URL to reach it. */
  listen(port: number, host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException) => reject(listenError(error, host, port));
      this.server.once("error", failed);
      this.server.listen(port, host, () => {
        this.server.off("error", failed);
        const address = this.server.address() as AddressInfo;
        const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
        resolve(`http://${shownHost}:${address.port}`);
      });
    });
  }

  /** Stops accepting connections and waits for the ones open to finish (cut after a grace period). */
  close(): Promise<void> {
    this.streams?.close();
    this.workers?.close();
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      const cut = setTimeout(() => this.server.closeAllConnections(), CLOSE_GRACE_MS);
      cut.unref();
      this.server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }

  private authenticate(request: IncomingMessage): Promise<Caller> {
    return authenticate(this.options.store, this.options.execution?.attemptSecret ?? noAttemptTokens, request.headers);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? "/", "http://runner.invalid");
      const { route, params } = this.router.match(request.method ?? "GET", url.pathname);
      const principal = route.public ? undefined : await this.authenticate(request);
      const body = await route.handle({ request, response, params, query: url.searchParams, principal });
      if (!route.raw) sendJson(response, route.status ?? 200, body);
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.status >= 500) this.log(`aloft runner: ${request.method} ${request.url} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (response.headersSent) response.destroy();
      else sendError(response, apiError);
    }
  }
}

function noAttemptTokens(): Promise<Buffer> {
  return Promise.reject(new Error("this runner runs no executions, so it issued no attempt tokens"));
}

function healthRoute(version: string): Route {
  return { method: "GET", path: "/healthz", public: true, handle: (): HealthResponse => ({ ok: true, version }) };
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === "EADDRINUSE") {
    return new AloftError({ code: "PORT_IN_USE", message: `${host}:${port} is already in use (another aloft runner?); choose another with --port N, or --port 0 for any free port` });
  }
  if (error.code === "EACCES") {
    return new AloftError({ code: "PORT_DENIED", message: `this user may not listen on ${host}:${port}; use a port above 1023` });
  }
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
    return new AloftError({ code: "HOST_UNAVAILABLE", message: `cannot listen on host ${host}: it is not an address of this machine` });
  }
  return error;
}
