// Port-forward over a WebSocket with the `v4.channel.k8s.io` framing, as the
// kubelet serves it: each binary frame starts with its channel byte; port i
// uses channel 2i for data and 2i+1 for errors; the first frame the server
// sends on each channel is the port, two bytes little-endian. The client's
// data frames carry no port. The pod's "port" is a TCP port on loopback,
// where the pod's local process listens.
import { connect, type Socket } from "node:net";
import type { RawData, WebSocket } from "ws";
import { badRequest } from "./responses.ts";

export const portForwardProtocol = "v4.channel.k8s.io";

export function parsePorts(text: string | null): number[] {
  if (!text) throw badRequest('port-forward needs the query parameter "ports" (for example ports=9229)');
  return text.split(",").map((part) => {
    const port = Number(part);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw badRequest(`invalid port "${part}": want 1-65535`);
    return port;
  });
}

export function forwardPorts(ws: WebSocket, ports: number[], podName: string): void {
  const sockets: (Socket | undefined)[] = [];
  let open = ports.length;
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]), { binary: true });
  };
  const portDone = () => {
    open -= 1;
    if (open === 0) ws.close(1000);
  };

  ports.forEach((port, index) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    send(2 * index, portBytes);
    send(2 * index + 1, portBytes);
    const socket = connect({ host: "127.0.0.1", port });
    sockets[index] = socket;
    socket.on("data", (data) => send(2 * index, data));
    socket.on("error", (error) => {
      send(
        2 * index + 1,
        Buffer.from(`error forwarding port ${port} to pod ${podName}: failed to connect to localhost:${port}: ${error.message}`),
      );
    });
    socket.on("close", () => {
      sockets[index] = undefined;
      portDone();
    });
  });

  ws.on("message", (data: RawData) => {
    const frame = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (frame.length < 1) return;
    const channel = frame[0]!;
    // Data channels are even; odd ones are the server's error channels.
    if (channel % 2 === 1) return;
    sockets[channel / 2]?.write(frame.subarray(1));
  });
  ws.on("close", () => {
    for (const socket of sockets) socket?.destroy();
  });
}
