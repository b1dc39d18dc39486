/**
 * What a Kubernetes Service is to runner replicas: one address that forwards
 * each connection to a replica that answers. Pods are told this address, so
 * a replica's death does not strand the pods it started.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

interface Connection {
  client: Socket;
  upstream: Socket;
  /** The first bytes the client sent (a request line and headers). */
  opening: string;
}

export class ServiceProxy {
  private readonly targets: { host: string; port: number }[] = [];
  /** Connections that still pass data; `all` holds the frozen ones too, for close to end. */
  private readonly open = new Set<Connection>();
  private readonly all = new Set<Connection>();
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

  /**
   * The connections made so far (those whose first bytes `which` picks) go
   * silent, both ways, without closing: a network path that died, as the two
   * ends cannot tell. New connections pass.
   */
  freeze(which: (opening: string) => boolean = () => true): void {
    for (const connection of this.open) {
      if (!which(connection.opening)) continue;
      const { client, upstream } = connection;
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
      this.open.delete(connection);
    }
  }

  close(): Promise<void> {
    for (const { client, upstream } of this.all) {
      client.destroy();
      upstream.destroy();
    }
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
      const pair: Connection = { client, upstream, opening: "" };
      client.once("data", (chunk: Buffer) => (pair.opening = chunk.toString("latin1", 0, 2048)));
      this.open.add(pair);
      this.all.add(pair);
      client.once("close", () => {
        this.open.delete(pair);
        this.all.delete(pair);
      });
    });
    upstream.once("error", () => {
      if (upstream.readyState === "opening" || !client.bytesWritten) this.forward(client, index + 1);
      else client.destroy();
    });
    client.once("error", () => upstream.destroy());
    client.once("close", () => upstream.destroy());
  }
}
