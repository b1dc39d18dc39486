/**
 * `GET /api/v1/executions/:id/debugger?node=NODE` (WebSocket): one TCP
 * connection to a paused attempt's inspector, its bytes carried both ways as
 * binary messages, with backpressure. A client (`aloft debug`, the editor)
 * opens one tunnel per connection a debugger makes to its local port, the
 * way `kubectl port-forward` does. The inspector is reached before the
 * upgrade, so a client that cannot be served gets a plain HTTP error.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { createWebSocketStream, type WebSocketServer } from "ws";
import { ApiError } from "./api-error.ts";
import type { PausedAttempts } from "./paused-attempts.ts";

export async function openDebuggerTunnel(
  wss: WebSocketServer,
  debuggers: PausedAttempts,
  executionId: string,
  node: string | undefined,
  upgrade: { request: IncomingMessage; socket: Duplex; head: Buffer },
): Promise<void> {
  if (!node) throw new ApiError(400, "BAD_QUERY", "name the paused node: ?node=NODE (a node id, or a task's name)");
  const paused = debuggers.find(executionId, node);
  if (!paused) {
    const waiting = debuggers.list(executionId).map((d) => d.nodeId);
    throw new ApiError(
      404,
      "DEBUGGER_NOT_WAITING",
      `node "${node}" of execution ${executionId} is not paused for a debugger${waiting.length ? `; paused: ${waiting.join(", ")}` : " (it has not started yet, has ended, or the execution was not run with --debug)"}`,
    );
  }
  if (!paused.connect) throw new ApiError(501, "DEBUGGER_UNREACHABLE", "this runner's task backend cannot reach an attempt's inspector");
  let inspector: Duplex;
  try {
    inspector = await paused.connect();
  } catch (error) {
    throw new ApiError(502, "DEBUGGER_UNREACHABLE", `could not reach the inspector of node "${paused.message.nodeId}": ${error instanceof Error ? error.message : String(error)}`);
  }
  paused.tunnels.add(inspector);
  inspector.once("close", () => paused.tunnels.delete(inspector));
  wss.handleUpgrade(upgrade.request, upgrade.socket, upgrade.head, (ws) => {
    const client = createWebSocketStream(ws);
    const end = () => {
      inspector.destroy();
      client.destroy();
    };
    client.on("error", end).on("close", end);
    inspector.on("error", end).on("close", end);
    client.pipe(inspector).pipe(client);
  });
}
