/**
 * What a Kubernetes Service is to runner replicas: one address that forwards
 * each connection to a replica that answers. Pods are told this address, so
 * a replica's death does not strand the pods it started.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export class ServiceProxy {
  private readonly targets: { host: string; port: number }[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<ServiceProxy> {
    let self!: ServiceProxy;
    const server = createServer((client) => self.forward(client, 0));
    self = new ServiceProxy(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  add(url: string): void {
    const { hostname, port } = new URL(url);
    this.targets.push({ host: hostname, port: Number(port) });
  }

  /** Stops sending new connections to `url`, as a Service does to a replica that stopped answering its probes. */
  remove(url: string): void {
    const { hostname, port } = new URL(url);
    const at = this.targets.findIndex((t) => t.host === hostname && t.port === Number(port));
    if (at >= 0) this.targets.splice(at, 1);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Tries the replicas in turn, starting from the first, until one accepts. */
  private forward(client: Socket, index: number): void {
    const target = this.targets[index];
    if (!target) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    upstream.once("connect", () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.once("error", () => {
      if (upstream.readyState === "opening" || !client.bytesWritten) this.forward(client, index + 1);
      else client.destroy();
    });
    client.once("error", () => upstream.destroy());
    client.once("close", () => upstream.destroy());
  }
}
