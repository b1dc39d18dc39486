/**
 * One shared watch of the runner's pods: list, then watch from the list's
 * resource version; watch again from the last version seen when the server
 * ends the watch; list again on 410 Gone; on any other failure, wait (with
 * backoff) and go on. Built on client-node's `Watch` rather than its
 * informer, because the 1.4 informer stops for good on a non-410 error,
 * reports its own stop as an error, and can leave a watch open after stop.
 */
import type { V1Pod } from "@kubernetes/client-node";
import { setTimeout as delay } from "node:timers/promises";
import { describeApiFailure } from "./api-failure.ts";
import type { KubeApi } from "./kube-api.ts";

export type PodEvent = { type: "upsert"; pod: V1Pod } | { type: "delete"; pod: V1Pod };

export interface PodInformerOptions {
  namespace: string;
  labelSelector: string;
  /** Backoff after a failed list or watch: 500 ms doubling to 30 s by default. */
  backoff?: { baseMs: number; maxMs: number };
  /** The server ends each watch after this long (a fresh one follows); 5 to 10 minutes by default. */
  watchTimeoutSeconds?: number;
  /** Told of each failure the informer recovers from. */
  onError?: (error: unknown) => void;
}

interface WatchEnd {
  /** null when the server ended the watch cleanly. */
  error: unknown;
  /** The server said the resource version is too old (410): list again. */
  expired: boolean;
  events: number;
  openedAt: number;
}

/** A watch that ends this soon with nothing on it counts as a failure, so a server that ends every watch at once is not asked again in a tight loop. */
const SHORT_WATCH_MS = 1000;

export class PodInformer {
  private readonly pods = new Map<string, V1Pod>();
  private readonly eventHandlers = new Set<(event: PodEvent) => void>();
  private readonly syncHandlers = new Set<(listStartedAt: number) => void>();
  private readonly stopping = new AbortController();
  private readonly backoff: { baseMs: number; maxMs: number };
  private resourceVersion = "";
  private loop: Promise<void> | undefined;
  private watch: AbortController | undefined;

  constructor(
    private readonly api: KubeApi,
    private readonly options: PodInformerOptions,
  ) {
    this.backoff = options.backoff ?? { baseMs: 500, maxMs: 30_000 };
  }

  start(): void {
    if (this.stopping.signal.aborted) throw new Error("the pod informer was stopped; make a new one");
    this.loop ??= this.run();
  }

  /** Ends the watch and waits until no request of the informer is left open. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.watch?.abort();
    await this.loop;
  }

  get(name: string): V1Pod | undefined {
    return this.pods.get(name);
  }

  /** Every change to a pod; returns the unsubscribe. */
  onEvent(handler: (event: PodEvent) => void): () => void {
    this.eventHandlers.add(handler);
    return () => this.eventHandlers.delete(handler);
  }

  /** Each completed list, with the time it was asked: a pod absent from it did not exist then. */
  onSync(handler: (listStartedAt: number) => void): () => void {
    this.syncHandlers.add(handler);
    return () => this.syncHandlers.delete(handler);
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist();
        const end = await this.watchOnce();
        if (this.stopped) break;
        const healthy = end.events > 0 || Date.now() - end.openedAt >= SHORT_WATCH_MS;
        if (healthy) failures = 0;
        if (end.expired || describeApiFailure(end.error).status === 410) {
          this.resourceVersion = "";
          continue;
        }
        if (end.error !== null) throw end.error;
        if (!healthy) throw new Error("the API server ended the watch at once");
      } catch (error) {
        if (this.stopped) break;
        failures++;
        this.options.onError?.(error);
        const ceiling = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** (failures - 1));
        try {
          await delay(ceiling / 2 + Math.random() * (ceiling / 2), undefined, { signal: this.stopping.signal });
        } catch {
          break; // stopped while waiting
        }
      }
    }
  }

  private async relist(): Promise<void> {
    const startedAt = Date.now();
    const list = await this.api.listPods(this.options.namespace, this.options.labelSelector, this.stopping.signal);
    const present = new Set<string>();
    for (const pod of list.items) {
      present.add(pod.metadata?.name ?? "");
      this.upsert(pod);
    }
    for (const [name, pod] of [...this.pods]) {
      if (!present.has(name)) this.remove(pod);
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? "";
    for (const handler of [...this.syncHandlers]) handler(startedAt);
  }

  private watchOnce(): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve) => {
      const openedAt = Date.now();
      let expired = false;
      let events = 0;
      let failure: unknown;
      let settled = false;
      const finish = (error: unknown) => {
        if (settled) return;
        settled = true;
        this.watch = undefined;
        resolve({ error: failure ?? error ?? null, expired, events, openedAt });
      };
      const onEvent = (type: string, object: unknown) => {
        if (type === "ERROR") {
          const code = (object as { code?: unknown } | undefined)?.code;
          if (code === 410) expired = true;
          else failure = new Error(`the pod watch sent an error: ${JSON.stringify(object)}`);
          return;
        }
        const pod = object as V1Pod;
        const version = pod?.metadata?.resourceVersion;
        if (type === "ADDED" || type === "MODIFIED") {
          events++;
          this.upsert(pod);
        } else if (type === "DELETED") {
          events++;
          this.remove(pod);
        }
        if (version) this.resourceVersion = version;
      };
      const timeoutSeconds = this.options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
      const query = { resourceVersion: this.resourceVersion, labelSelector: this.options.labelSelector, allowWatchBookmarks: true, timeoutSeconds };
      this.api.watchPods(this.options.namespace, query, onEvent, finish, this.stopping.signal).then(
        (controller) => {
          if (settled) return;
          this.watch = controller;
          // A stop that came while the request was on its way finds no controller to abort: abort it now.
          if (this.stopped) controller.abort();
        },
        (error: unknown) => finish(error),
      );
    });
  }

  private upsert(pod: V1Pod): void {
    const name = pod.metadata?.name;
    if (!name) return;
    const known = this.pods.get(name);
    const version = pod.metadata?.resourceVersion;
    if (known && version !== undefined && known.metadata?.resourceVersion === version) return;
    this.pods.set(name, pod);
    this.emit({ type: "upsert", pod });
  }

  private remove(pod: V1Pod): void {
    const name = pod.metadata?.name;
    if (!name) return;
    this.pods.delete(name);
    this.emit({ type: "delete", pod });
  }

  private emit(event: PodEvent): void {
    for (const handler of [...this.eventHandlers]) handler(event);
  }
}
