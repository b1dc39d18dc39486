/**
 * A local port for a debugger, relayed to an attempt paused on a runner:
 * each connection a debugger makes here becomes one tunnel through the
 * runner's WebSocket API (and from there a TCP connection on a worker's
 * loopback, or a port-forward into a pod). The inspector's HTTP discovery
 * and its WebSocket both pass through unchanged.
 */
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { RunnerClient } from "./runner-client.ts";

export interface RelayTarget {
  executionId: string;
  /** The paused node's id (not a task name: the tunnel must reach this very attempt). */
  nodeId: string;
}

export class DebuggerRelay {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    /** Connections from debuggers and their tunnels, cut when the relay closes. */
    private readonly sockets: Set<Socket | Duplex>,
  ) {}

  /**
   * Listens on `host:port` (0: any free port). A tunnel that cannot open
   * closes its connection and is told to `onProblem`: the debugger sees a
   * refused connection, the person sees why.
   */
  static listen(client: RunnerClient, target: RelayTarget, options: { port?: number; host?: string; onProblem?: (message: string) => void } = {}): Promise<DebuggerRelay> {
    const sockets = new Set<Socket | Duplex>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      socket.pause();
      client.openDebuggerTunnel(target.executionId, target.nodeId).then(
        (tunnel) => {
          sockets.add(tunnel);
          const end = () => {
            socket.destroy();
            tunnel.destroy();
          };
          socket.on("error", end).on("close", end);
          tunnel.on("error", end).on("close", end);
          socket.pipe(tunnel).pipe(socket);
          socket.resume();
        },
        (error: unknown) => {
          options.onProblem?.(error instanceof Error ? error.message : String(error));
          socket.destroy();
        },
      );
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve(new DebuggerRelay(server, (server.address() as AddressInfo).port, sockets));
      });
    });
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
