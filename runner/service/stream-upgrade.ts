/**
 * Accepts WebSocket upgrades for the execution streams: the same bearer
 * tokens and project rules as the HTTP routes, checked before the upgrade, so
 * a refused client gets a plain HTTP error it can read.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { Caller } from "./access.ts";
import { canSee, executionNotFound } from "./access.ts";
import { ApiError, toApiError } from "./api-error.ts";
import { API_PREFIX } from "./protocol.ts";
import { openDebuggerTunnel } from "./debugger-tunnel.ts";
import { streamEvents, streamLogs, type StreamContext } from "./streams.ts";

export class StreamUpgrades {
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(
    private readonly context: StreamContext,
    private readonly authenticate: (request: IncomingMessage) => Promise<Caller>,
    private readonly log: (line: string) => void,
  ) {}

  async handle(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    try {
      const url = new URL(request.url ?? "/", "http://runner.invalid");
      const match = new RegExp(`^${API_PREFIX}/executions/([^/]+)/(events|logs|debugger)$`).exec(url.pathname);
      if (!match) throw new ApiError(404, "ROUTE_NOT_FOUND", `no stream at ${url.pathname}; streams are ${API_PREFIX}/executions/ID/events, ${API_PREFIX}/executions/ID/logs and ${API_PREFIX}/executions/ID/debugger`);
      const caller = await this.authenticate(request);
      const id = decodeURIComponent(match[1]!);
      const execution = await this.context.store.getExecution(id);
      if (!execution || !canSee(caller, execution)) throw executionNotFound(id);
      const node = url.searchParams.get("node") ?? undefined;
      if (match[2] === "debugger") return await openDebuggerTunnel(this.wss, this.context.debuggers, id, node, { request, socket, head });
      const flag = (name: string) => ["1", "true"].includes(url.searchParams.get(name) ?? "");
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        const streaming = match[2] === "events"
          ? streamEvents(ws, this.context, execution, flag("logs"))
          : streamLogs(ws, this.context, execution, node, flag("follow"));
        streaming.catch((error: unknown) => {
          this.log(`aloft runner: stream ${url.pathname} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          const { body } = toApiError(error);
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: "error", error: body.error }));
          ws.close(1011, "stream failed");
        });
      });
    } catch (error) {
      refuse(socket, toApiError(error));
    }
  }

  /** Ends every open stream (the runner is stopping); clients see close code 1001. */
  close(): void {
    for (const ws of this.wss.clients) ws.close(1001, "the runner is stopping");
    this.wss.close();
  }
}

function refuse(socket: Duplex, error: ApiError): void {
  const body = JSON.stringify(error.body);
  const headers = {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    connection: "close",
    ...error.headers,
  };
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n");
  socket.end(`HTTP/1.1 ${error.status} ${statusText(error.status)}\r\n${head}\r\n\r\n${body}`);
}

function statusText(status: number): string {
  return { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable" }[status] ?? "Error";
}
