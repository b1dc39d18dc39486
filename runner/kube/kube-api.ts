/**
 * The Kubernetes API calls the executor makes, each through the rate limiter
 * and, where a retry can help, with retries. Everything goes through the real
 * @kubernetes/client-node: the generated CoreV1Api, `Watch` and `Log`.
 */
import type { Writable } from "node:stream";
import { CoreV1Api, type KubeConfig, Log, type V1Pod, type V1PodList, Watch } from "@kubernetes/client-node";
import { describeApiFailure } from "./api-failure.ts";
import { DEFAULT_RETRY_POLICY, KubeApiError, type RetryPolicy, withRetries } from "./api-retry.ts";
import { checkRateLimit, type RateLimit, RateLimiter } from "./rate-limiter.ts";

export interface KubeApiOptions {
  /** 20 requests a second, bursts of 40, by default. */
  rateLimit?: RateLimit;
  retry?: Partial<RetryPolicy>;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { qps: 20, burst: 40 };

export type CreateOutcome = { created: true; pod: V1Pod } | { created: false };

export type WatchEventHandler = (type: string, object: unknown) => void;

export class KubeApi {
  readonly limiter: RateLimiter;
  readonly policy: RetryPolicy;
  private readonly core: CoreV1Api;
  private readonly watcher: Watch;
  private readonly logs: Log;

  constructor(kubeconfig: KubeConfig, options: KubeApiOptions = {}) {
    this.limiter = new RateLimiter(checkRateLimit(options.rateLimit ?? DEFAULT_RATE_LIMIT));
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.core = kubeconfig.makeApiClient(CoreV1Api);
    this.watcher = new Watch(kubeconfig);
    this.logs = new Log(kubeconfig);
  }

  /** Creates the pod; `created: false` when a pod of that name already exists (409 AlreadyExists). */
  async createPod(namespace: string, pod: V1Pod, signal?: AbortSignal): Promise<CreateOutcome> {
    try {
      const created = await this.retried(`creating pod ${namespace}/${pod.metadata?.name}`, () => this.core.createNamespacedPod({ namespace, body: pod }), signal);
      return { created: true, pod: created };
    } catch (error) {
      if (error instanceof KubeApiError && error.failure.status === 409 && error.failure.reason === "AlreadyExists") return { created: false };
      throw error;
    }
  }

  /** Whether the namespace exists (one try: this is asked at start, where a clear failure beats a slow one). */
  async namespaceExists(namespace: string): Promise<boolean> {
    await this.limiter.acquire();
    try {
      await this.core.readNamespace({ name: namespace });
      return true;
    } catch (error) {
      const failure = describeApiFailure(error);
      if (failure.status === 404) return false;
      throw new KubeApiError(`reading namespace ${namespace}`, failure, 1);
    }
  }

  /** The pod, or undefined when there is none. */
  async readPod(namespace: string, name: string, signal?: AbortSignal): Promise<V1Pod | undefined> {
    try {
      return await this.retried(`reading pod ${namespace}/${name}`, () => this.core.readNamespacedPod({ namespace, name }), signal);
    } catch (error) {
      if (error instanceof KubeApiError && error.failure.status === 404) return undefined;
      throw error;
    }
  }

  /** Deletes the pod; false when it was already gone. */
  async deletePod(namespace: string, name: string, gracePeriodSeconds?: number, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.retried(
        `deleting pod ${namespace}/${name}`,
        () => this.core.deleteNamespacedPod({ namespace, name, ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}) }),
        signal,
      );
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.failure.status === 404) return false;
      throw error;
    }
  }

  listPods(namespace: string, labelSelector: string, signal?: AbortSignal): Promise<V1PodList> {
    return this.retried(`listing pods in ${namespace} (${labelSelector})`, () => this.core.listNamespacedPod({ namespace, labelSelector }), signal);
  }

  /**
   * Opens one watch of a namespace's pods (one request: the informer that
   * owns it decides when to open another). `onDone` gets null when the
   * server ended the watch, the error otherwise.
   */
  async watchPods(
    namespace: string,
    query: Record<string, string | number | boolean>,
    onEvent: WatchEventHandler,
    onDone: (error: unknown) => void,
    signal?: AbortSignal,
  ): Promise<AbortController> {
    await this.limiter.acquire(signal);
    return this.watcher.watch(`/api/v1/namespaces/${namespace}/pods`, query, onEvent, onDone);
  }

  /**
   * Streams the container's log into `sink` (the log API merges stdout and
   * stderr); with `follow`, until the container stops. Resolves once the
   * server has answered, with the controller that ends the stream.
   */
  streamLog(namespace: string, name: string, container: string, sink: Writable, follow: boolean, signal?: AbortSignal): Promise<AbortController> {
    return this.retried(`reading the log of pod ${namespace}/${name}`, () => this.logs.log(namespace, name, container, sink, { follow }), signal);
  }

  private retried<T>(what: string, call: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    return withRetries(what, call, { limiter: this.limiter, policy: this.policy, ...(signal ? { signal } : {}) });
  }
}
