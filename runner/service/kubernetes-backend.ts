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
import { podName } from "../kube/pod-names.ts";
import { connectPodInspector } from "../kube/pod-inspector.ts";
import type { RateLimit } from "../kube/rate-limiter.ts";
import { agentCommand, agentEnv, workerAgentCommand, workerAgentEnv } from "../pod/agent-launch.ts";
import type { TaskExecutor } from "../engine/executor.ts";
import type { ExecutionRecord, StateStore } from "../store/state-store.ts";
import type { AttemptTokenIssuer } from "./attempt-tokens.ts";
import { signWorkerToken } from "./worker-tokens.ts";
import { AGENT_ENV, attemptKey } from "./protocol.ts";
import type { DebuggerAnnouncements } from "./debugger-announcements.ts";
import type { BackendSession, TaskBackend } from "./task-backend.ts";

export interface KubernetesBackendOptions {
  kube: LoadedKubeconfig;
  namespace?: string;
  store: StateStore;
  /** The runner's URL as pods reach it (`--advertise-url`). */
  runnerUrl: string;
  /** Signs warm worker pods' tokens (attempt tokens come from `attemptTokens`). */
  attemptSecret: () => Promise<Buffer>;
  /** Signs the attempt tokens pods are given, valid as long as worker tokens. */
  attemptTokens: AttemptTokenIssuer;
  /**
   * Labels the pods of this runner; replicas sharing a store share it, so any
   * of them can adopt the pods of an execution it takes over.
   */
  runnerName: string;
  maxPods: number;
  rateLimit?: RateLimit;
  /** Where pods' agents announce a debug attempt's paused inspector. */
  announcements: DebuggerAnnouncements;
  /** How often the runner and its warm worker pods check that their connection is alive. */
  heartbeatMs?: number;
  log?: (line: string) => void;
}

const DEFAULT_HEARTBEAT_MS = 10_000;

export class KubernetesBackend implements TaskBackend {
  readonly executor: KubernetesExecutor;

  constructor(private readonly options: KubernetesBackendOptions) {
    const { attemptTokens } = options;
    const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.executor = new KubernetesExecutor({
      kubeconfig: options.kube.kubeconfig,
      ...(options.namespace ?? options.kube.namespace ? { namespace: options.namespace ?? options.kube.namespace } : {}),
      runnerId: options.runnerName,
      size: options.maxPods,
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
      reports: { get: (ref) => options.store.getAttemptReport(ref) },
      launch: {
        container: async ({ attempt, job }) => {
          const { token } = await attemptTokens.issue(attempt);
          const env = agentEnv(options.runnerUrl, token, attemptKey(attempt));
          return { command: agentCommand(), env: job.debug ? { ...env, [AGENT_ENV.debug]: "1" } : env };
        },
      },
      warm: {
        heartbeatMs,
        container: async ({ pod, pool, instance }) => {
          const token = signWorkerToken(await options.attemptSecret(), { instance, pool, pod: pod.name, expiresAt: Date.now() + attemptTokens.ttlMs });
          return { command: workerAgentCommand(), env: workerAgentEnv(options.runnerUrl, token, heartbeatMs) };
        },
        attemptToken: async (attempt) => (await attemptTokens.issue(attempt)).token,
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

  async open(execution: ExecutionRecord): Promise<BackendSession> {
    // Every execution shares the one executor; its pods are told apart by their labels, its warm pods by its project.
    const tenant = this.executor.forTenant(execution.project);
    const { announcements, kube } = this.options;
    const executor: TaskExecutor = {
      size: tenant.size,
      // A debug attempt's agent announces its paused inspector to the runner; the engine hears of it through onDebugger.
      run: async (job, options = {}) => {
        if (!("debug" in job) || !job.debug || !options.onDebugger) return tenant.run(job, options);
        const stopExpecting = announcements.expect(job.attempt, options.onDebugger);
        try {
          return await tenant.run(job, options);
        } finally {
          stopExpecting();
        }
      },
      ...(tenant.resume ? { resume: tenant.resume.bind(tenant) } : {}),
    };
    return {
      executor,
      close: async () => {},
      connectInspector: (attempt, endpoint) => connectPodInspector(kube.kubeconfig, this.executor.namespace, podName(attempt), endpoint.port),
    };
  }

  close(): Promise<void> {
    return this.executor.close();
  }
}
