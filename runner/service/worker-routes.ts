/**
 * The service's side of warm worker pods: the agent's code for their
 * bootstrap, and the WebSocket they connect back on. Both take a worker
 * token (not a user or attempt token), checked here by its signature; the
 * socket is handed to the Kubernetes backend's warm pods, which refuse a pod
 * they did not start (one of an earlier runner process, say).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { WarmWorkerEndpoint } from "../kube/warm-pods.ts";
import { WORKER_AGENT_PATH, WORKER_CONNECT_PATH } from "../pod/worker-messages.ts";
import { ApiError, toApiError } from "./api-error.ts";
import { bearerTokenOf } from "./bearer-auth.ts";
import { API_PREFIX } from "./protocol.ts";
import type { Route } from "./router.ts";
import { verifyWorkerToken, type WorkerClaims } from "./worker-tokens.ts";

export const WORKER_ROUTE_PREFIX = `${API_PREFIX}/workers/`;

async function workerOf(request: IncomingMessage, attemptSecret: () => Promise<Buffer>): Promise<WorkerClaims> {
  const check = verifyWorkerToken(await attemptSecret(), bearerTokenOf(request.headers));
  if (!check.ok) throw new ApiError(401, "UNAUTHENTICATED", `the worker token is refused: ${check.reason}`, { "www-authenticate": 'Bearer realm="aloft", error="invalid_token"' });
  return check.claims;
}

export function workerRoutes(attemptSecret: () => Promise<Buffer>, agentSource: () => Promise<string>): Route[] {
  return [
    {
      method: "GET",
      path: `${API_PREFIX}${WORKER_AGENT_PATH}`,
      // Not a user route: the worker token is checked here, not by the bearer authentication of user tokens.
      public: true,
      raw: true,
      handle: async ({ request, response }) => {
        await workerOf(request, attemptSecret);
        const source = await agentSource();
        response.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "content-length": Buffer.byteLength(source) });
        response.end(source);
      },
    },
  ];
}

export class WorkerUpgrades {
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(
    private readonly endpoint: WarmWorkerEndpoint,
    private readonly attemptSecret: () => Promise<Buffer>,
  ) {}

  static handles(request: IncomingMessage): boolean {
    return (request.url ?? "").startsWith(WORKER_ROUTE_PREFIX);
  }

  async handle(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    try {
      const path = new URL(request.url ?? "/", "http://runner.invalid").pathname;
      if (path !== `${API_PREFIX}${WORKER_CONNECT_PATH}`) throw new ApiError(404, "ROUTE_NOT_FOUND", `no worker stream at ${path}; warm worker pods connect to ${API_PREFIX}${WORKER_CONNECT_PATH}`);
      const claims = await workerOf(request, this.attemptSecret);
      if (!this.endpoint.expects(claims)) throw new ApiError(410, "WORKER_UNKNOWN", `this runner is not waiting for worker pod ${claims.pod} (it was started by an earlier runner process, or let go); the pod should end`);
      this.wss.handleUpgrade(request, socket, head, (ws) => this.endpoint.accept(claims, ws));
    } catch (error) {
      const { status, body } = toApiError(error);
      const text = JSON.stringify(body);
      socket.end(`HTTP/1.1 ${status} ${status === 410 ? "Gone" : status === 401 ? "Unauthorized" : "Error"}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
    }
  }

  close(): void {
    this.endpoint.release();
    for (const ws of this.wss.clients) ws.close(1001, "the runner is stopping");
    this.wss.close();
  }
}
