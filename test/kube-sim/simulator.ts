// The Kubernetes API simulator: a real HTTP server on loopback serving the
// part of core v1 aloft uses, running pods as local processes. Product code
// reaches it only through a kubeconfig and @kubernetes/client-node; tests turn
// its knobs (start latency, injected failures, dropped watches, pod faults)
// and read its request counts through this object or the /sim/ routes.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocketServer } from "ws";
import { handleAdmin } from "./admin-routes.ts";
import { type ApiRoute, routeOf } from "./api-routes.ts";
import { type CoreApi, createNamespace, handleCoreRequest } from "./core-api.ts";
import { Kubelet } from "./kubelet.ts";
import { kubeconfigText, writeKubeconfig } from "./kubeconfig.ts";
import { ObjectStore } from "./object-store.ts";
import type { Pod } from "./objects.ts";
import { type PodFaultReason, type PodFaultRule } from "./pod-faults.ts";
import { forwardPorts, parsePorts, portForwardProtocol } from "./port-forward.ts";
import { RequestCounts, type RequestCountsSnapshot } from "./request-counts.ts";
import { type RequestFaultRule, RequestFaults } from "./request-faults.ts";
import { ApiError, badRequest, notFound, rawErrorResponse, sendError, sendJson } from "./responses.ts";
import { OpenWatches } from "./watch-stream.ts";

export interface KubeSimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** How long a scheduled pod waits before its process starts; 0 by default. */
  podStartLatencyMs?: number;
  /** The bearer token clients must send; random by default. */
  token?: string;
  /** Seeds the draw of fraction-based faults. */
  seed?: number;
  /** How many past changes watches can resume from before they get 410. */
  historyLimit?: number;
  /** Where pods without a workingDir run; a fresh temporary folder by default. */
  scratchDir?: string;
}

export interface SimulatorSettings {
  podStartLatencyMs: number;
  openWatches: number;
}

export class KubeSimulator {
  readonly token: string;
  private readonly store: ObjectStore;
  private readonly kubelet: Kubelet;
  private readonly watches = new OpenWatches();
  private readonly requestCounts = new RequestCounts();
  private readonly faults: RequestFaults;
  private readonly sockets = new WebSocketServer({ noServer: true, handleProtocols: () => portForwardProtocol });
  private readonly server: Server;
  private readonly scratchDir: string;
  private readonly ownsScratch: boolean;
  private podStartLatencyMs: number;

  private constructor(options: KubeSimulatorOptions) {
    this.token = options.token ?? randomBytes(16).toString("hex");
    this.podStartLatencyMs = checkLatency(options.podStartLatencyMs ?? 0);
    this.store = new ObjectStore(options.historyLimit);
    this.faults = new RequestFaults(options.seed);
    this.ownsScratch = options.scratchDir === undefined;
    this.scratchDir = options.scratchDir ?? mkdtempSync(join(tmpdir(), "kube-sim-"));
    this.kubelet = new Kubelet(this.store, this.scratchDir, () => this.podStartLatencyMs);
    for (const name of ["default", "kube-system"]) createNamespace({ store: this.store }, { metadata: { name } });
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on("upgrade", (req, socket, head) => this.upgrade(req, socket, head));
  }

  static async start(options: KubeSimulatorOptions = {}): Promise<KubeSimulator> {
    const sim = new KubeSimulator(options);
    await new Promise<void>((resolve, reject) => {
      sim.server.once("error", reject);
      sim.server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    return sim;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A kubeconfig (YAML) whose current context is this simulator. */
  kubeconfig(namespace = "default"): string {
    return kubeconfigText({ server: this.url, token: this.token, namespace });
  }

  writeKubeconfig(file: string, namespace = "default"): void {
    writeKubeconfig(file, { server: this.url, token: this.token, namespace });
  }

  // ---- knobs

  setPodStartLatency(ms: number): void {
    this.podStartLatencyMs = checkLatency(ms);
  }

  /** Answers matching requests with 429 or 5xx; returns an id for `removeFault`. */
  injectFault(rule: RequestFaultRule): number {
    return this.faults.add(rule);
  }

  removeFault(id: number): void {
    this.faults.remove(id);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Fails pods that start later and match the rule, as OOMKilled or Evicted. */
  armPodFault(rule: PodFaultRule): void {
    this.kubelet.podFaults.arm(rule);
  }

  clearPodFaults(): void {
    this.kubelet.podFaults.clear();
  }

  /** Fails a pod now (or as soon as it starts, when it is pending). */
  failPod(namespace: string, name: string, reason: PodFaultReason): void {
    this.kubelet.fail(namespace, name, reason);
  }

  /**
   * Ends every open watch: cleanly (the response ends, as when the API
   * server's watch timeout passes) or, with `abrupt`, by resetting the
   * connection. Returns how many were open.
   */
  dropWatches(options: { abrupt?: boolean; labelSelector?: string } = {}): number {
    return this.watches.drop(options.abrupt === true, options.labelSelector);
  }
  /** Open watches asked with exactly `labelSelector` (all when it is undefined). */
  openWatches(labelSelector?: string): number {
    return this.watches.count(labelSelector);
  }


  /** Forgets the change history: a watch resuming from before now gets 410 Gone. */
  compactHistory(): void {
    this.store.compact();
  }

  counts(): RequestCountsSnapshot {
    return this.requestCounts.snapshot();
  }

  resetCounts(): void {
    this.requestCounts.reset();
  }

  settings(): SimulatorSettings {
    return { podStartLatencyMs: this.podStartLatencyMs, openWatches: this.watches.size };
  }

  /** Kills every pod process, ends every stream and closes the server. */
  async stop(): Promise<void> {
    this.watches.drop(true);
    await this.kubelet.shutdown();
    for (const client of this.sockets.clients) client.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.ownsScratch) rmSync(this.scratchDir, { recursive: true, force: true });
  }

  // ---- serving

  private get core(): CoreApi {
    return { store: this.store, kubelet: this.kubelet, watches: this.watches };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    try {
      if (url.pathname.startsWith("/sim/")) return await handleAdmin(this, url, req, res);
      if (url.pathname === "/version") return sendJson(res, 200, version);
      const route = routeOf(req.method ?? "GET", url);
      if (route.resource === "pods/portforward") throw badRequest("port-forward needs a WebSocket upgrade (v4.channel.k8s.io)");
      this.admit(req, route);
      await handleCoreRequest(this.core, route, url, req, res);
    } catch (error) {
      if (res.headersSent) res.destroy();
      else sendError(res, asApiError(error));
    }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    try {
      const route = routeOf(req.method ?? "GET", url);
      if (route.resource !== "pods/portforward") throw badRequest(`the simulator takes WebSocket upgrades only for port-forward, not ${url.pathname}`);
      this.admit(req, route);
      const pod = this.store.get("Pod", route.namespace, route.name!) as Pod | undefined;
      if (!pod) throw notFound("pods", route.name!);
      if (pod.status.phase !== "Running") throw badRequest(`pod ${route.name} is not running (phase ${pod.status.phase}): it cannot be port-forwarded to`);
      const ports = parsePorts(url.searchParams.get("ports"));
      const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
      if (!offered.includes(portForwardProtocol)) {
        throw badRequest(`port-forward speaks ${portForwardProtocol} only; the client offered ${offered.join(", ") || "no subprotocol"}`);
      }
      this.sockets.handleUpgrade(req, socket, head, (ws) => forwardPorts(ws, ports, route.name!));
    } catch (error) {
      socket.end(rawErrorResponse(asApiError(error)));
    }
  }

  /** Counts the request, then authenticates it, then applies injected faults. */
  private admit(req: IncomingMessage, route: ApiRoute): void {
    this.requestCounts.record(route.verb, route.resource);
    if (req.headers.authorization !== `Bearer ${this.token}`) throw new ApiError(401, "Unauthorized", "Unauthorized");
    const fault = this.faults.pick(route.verb, route.resource);
    if (fault) {
      this.requestCounts.recordInjected(route.verb, route.resource, fault.code);
      throw fault;
    }
  }
}

const version = { major: "1", minor: "30", gitVersion: "v1.30.0-kube-sim", platform: "linux/amd64" };

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(500, "InternalError", `the simulator failed: ${(error as Error)?.stack ?? String(error)}`);
}

function checkLatency(ms: unknown): number {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
    throw badRequest(`podStartLatencyMs must be a number of milliseconds >= 0, got ${JSON.stringify(ms)}`);
  }
  return ms;
}
