/**
 * Tasks as Kubernetes pods. One executor (one shared watch, one rate limiter)
 * serves every execution of the runner. Each pod runs a stock Node image
 * whose command fetches the agent; the agent fetches its attempt with a
 * token signed for that attempt alone, and reports its result to the runner,
 * whose store the executor reads when the pod ends.
 */
import { AloftError } from "../../compiler/errors.ts";
import type { LoadedKubeconfig } from "../kube/kubeconfig.ts";
import { KubernetesExecutor } from "../kube/kubernetes-executor.ts";
import type { RateLimit } from "../kube/rate-limiter.ts";
import { agentCommand, agentEnv } from "../pod/agent-launch.ts";
import type { StateStore } from "../store/state-store.ts";
import { signAttemptToken } from "./attempt-tokens.ts";
import { attemptKey } from "./protocol.ts";
import type { BackendSession, TaskBackend } from "./task-backend.ts";

export interface KubernetesBackendOptions {
  kube: LoadedKubeconfig;
  namespace?: string;
  store: StateStore;
  /** The runner's URL as pods reach it (`--advertise-url`). */
  runnerUrl: string;
  attemptSecret: () => Promise<Buffer>;
  /**
   * Labels the pods of this runner; replicas sharing a store share it, so any
   * of them can adopt the pods of an execution it takes over.
   */
  runnerName: string;
  maxPods: number;
  rateLimit?: RateLimit;
  /** How long an attempt token stays valid: long enough for the longest task to report. */
  attemptTokenTtlMs?: number;
  log?: (line: string) => void;
}

const DEFAULT_ATTEMPT_TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

export class KubernetesBackend implements TaskBackend {
  readonly executor: KubernetesExecutor;

  constructor(private readonly options: KubernetesBackendOptions) {
    const ttl = options.attemptTokenTtlMs ?? DEFAULT_ATTEMPT_TOKEN_TTL_MS;
    this.executor = new KubernetesExecutor({
      kubeconfig: options.kube.kubeconfig,
      ...(options.namespace ?? options.kube.namespace ? { namespace: options.namespace ?? options.kube.namespace } : {}),
      runnerId: options.runnerName,
      size: options.maxPods,
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
      reports: { get: (ref) => options.store.getAttemptReport(ref) },
      launch: {
        container: async ({ attempt }) => {
          const token = signAttemptToken(await options.attemptSecret(), { ...attempt, expiresAt: Date.now() + ttl });
          return { command: agentCommand(), env: agentEnv(options.runnerUrl, token, attemptKey(attempt)) };
        },
      },
      onWarning: (message) => (options.log ?? ((line) => process.stderr.write(`${line}\n`)))(`aloft runner: kubernetes: ${message}`),
    });
  }

  get description(): string {
    const { kube, runnerUrl } = this.options;
    return `Kubernetes (context ${kube.context}, namespace ${this.executor.namespace}, server ${kube.server}; pods reach this runner at ${runnerUrl})`;
  }

  /**
   * Fails at start, with what to do, when the cluster cannot take pods: the
   * API server unreachable or refusing these credentials, or no such namespace.
   */
  async verify(): Promise<void> {
    const { kube } = this.options;
    const namespace = this.executor.namespace;
    let exists: boolean;
    try {
      exists = await this.executor.api.namespaceExists(namespace);
    } catch (error) {
      throw new AloftError({
        code: "KUBERNETES_UNREACHABLE",
        message: `cannot use the Kubernetes API server ${kube.server} (context ${kube.context} of ${kube.source}): ${(error as Error).message}`,
      });
    }
    if (!exists) {
      throw new AloftError({
        code: "KUBERNETES_NAMESPACE_MISSING",
        message: `namespace "${namespace}" does not exist on ${kube.server} (context ${kube.context}); create it (kubectl create namespace ${namespace}) or pass --namespace`,
      });
    }
  }

  async open(): Promise<BackendSession> {
    // Every execution shares the one executor; its pods are told apart by their labels.
    return { executor: this.executor, close: async () => {} };
  }

  close(): Promise<void> {
    return this.executor.close();
  }
}
