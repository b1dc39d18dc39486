/**
 * The runner service: an HTTP server on Node's `http` over a state store.
 * Every answer is JSON; every failure is `{ error: { code, message } }`.
 * Later routes (uploads, submission) and WebSocket streams join the same
 * router and server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { StateStore } from "../store/state-store.ts";
import { AloftError } from "../../compiler/errors.ts";
import { toApiError } from "./api-error.ts";
import { authenticate } from "./bearer-auth.ts";
import { executionRoutes } from "./execution-routes.ts";
import { sendError, sendJson } from "./http-json.ts";
import type { HealthResponse } from "./protocol.ts";
import { Router, type Route } from "./router.ts";

export interface RunnerServiceOptions {
  store: StateStore;
  version: string;
  /** Where failures the client cannot act on (500s) are told; stderr by default. */
  log?: (line: string) => void;
}

/** How long `close` lets requests in flight finish before it cuts their connections. */
const CLOSE_GRACE_MS = 2000;

export class RunnerService {
  readonly router: Router;
  private readonly server: Server;
  private readonly log: (line: string) => void;

  constructor(private readonly options: RunnerServiceOptions) {
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.router = new Router([healthRoute(options.version), ...executionRoutes(options.store)]);
    this.server = createServer((request, response) => void this.handle(request, response));
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

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? "/", "http://runner.invalid");
      const { route, params } = this.router.match(request.method ?? "GET", url.pathname);
      const principal = route.public ? undefined : authenticate(this.options.store, request.headers);
      const body = await route.handle({ request, params, query: url.searchParams, principal });
      sendJson(response, route.status ?? 200, body);
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.status >= 500) this.log(`aloft runner: ${request.method} ${request.url} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (response.headersSent) response.destroy();
      else sendError(response, apiError);
    }
  }
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
