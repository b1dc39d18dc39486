/**
 * The `TaskExecutor` that runs each attempt of a task (or of a dynamic body)
 * as one pod. The pod's name is fixed by its attempt, so a pod that already
 * exists is adopted, not doubled. One shared watch of the runner's pods
 * tells every attempt how its pod is doing; logs are followed while the pod
 * runs; the result is what the pod's agent reported (`AttemptReports`), or,
 * without a report, a system error read from the pod's status. Ended pods are
 * deleted once their logs are read.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { ErrorInfo } from "../../compiler/errors.ts";
import type { Job, JobOptions, TaskExecutor } from "../engine/executor.ts";
import type { AttemptRef, JobResult } from "../worker/protocol.ts";
import type { AttemptReports } from "./attempt-reports.ts";
import { anyAborted, onAbort } from "./abort-listeners.ts";
import { AttemptStop, type StopReason } from "./attempt-stop.ts";
import { KubeApiError, type RetryPolicy } from "./api-retry.ts";
import { KubeApi } from "./kube-api.ts";
import { type KubeconfigRequest, loadKubeconfig } from "./kubeconfig.ts";
import type { AttemptJob, PodContainer, PodLaunch } from "./pod-launch.ts";
import { PodInformer } from "./pod-informer.ts";
import { PodLog } from "./pod-log.ts";
import { ANNOTATIONS, LABELS, labelValue, podName, runnerSelector } from "./pod-names.ts";
import { attemptResult, type PodEnd, type PodSubject } from "./pod-outcome.ts";
import { attemptPod, CONTAINER_NAME } from "./pod-spec.ts";
import type { RateLimit } from "./rate-limiter.ts";
import { Slots } from "./slots.ts";
import { TrackedPod } from "./tracked-pod.ts";
import { type WarmPodLaunch, WarmPods } from "./warm-pods.ts";

export interface KubernetesExecutorOptions {
  kubeconfig: KubeConfig;
  /** Where the pods go; else the kubeconfig context's namespace, else `default`. */
  namespace?: string;
  /** Names this runner's pods (a label): its watch sees only them. */
  runnerId: string;
  /** Pods at once; more jobs wait for a free slot. */
  size: number;
  launch: PodLaunch;
  reports: AttemptReports;
  /** Client-side rate limit of every API call; 20 a second, bursts of 40, by default. */
  rateLimit?: RateLimit;
  retry?: Partial<RetryPolicy>;
  /** Backoff of the shared watch after a failure: 500 ms doubling to 30 s by default. */
  watchBackoff?: { baseMs: number; maxMs: number };
  watchTimeoutSeconds?: number;
  /** After a pod ends, how long its log follow may take to deliver the last output; 2 s by default. */
  logDrainMs?: number;
  /** The pod's grace period when a timeout or cancellation deletes it; 5 s by default. */
  stopGraceSeconds?: number;
  terminationGracePeriodSeconds?: number;
  /** How to equip warm worker pods; without it, tasks with `reuse` run one pod per attempt like the rest. */
  warm?: WarmPodLaunch;
  /** Problems the executor recovered from or could not act on (a failed watch, a pod it could not delete). */
  onWarning?: (message: string) => void;
}

const DEFAULT_LOG_DRAIN_MS = 2000;
const DEFAULT_STOP_GRACE_SECONDS = 5;

export class KubernetesExecutor implements TaskExecutor {
  readonly size: number;
  readonly namespace: string;
  readonly api: KubeApi;
  /** The pools of warm worker pods, when the executor was given a way to launch them. */
  readonly warm: WarmPods | undefined;
  private readonly informer: PodInformer;
  private readonly slots: Slots;
  private readonly tracked = new Map<string, TrackedPod>();
  private readonly stopEvents: (() => void)[];
  private started = false;
  private closed = false;
  private readonly closing = new AbortController();

  /** An executor on the kubeconfig and context kubectl would use (or the ones asked for). */
  static fromKubeconfig(request: KubeconfigRequest, options: Omit<KubernetesExecutorOptions, "kubeconfig">): KubernetesExecutor {
    const loaded = loadKubeconfig(request);
    return new KubernetesExecutor({ ...options, kubeconfig: loaded.kubeconfig, namespace: options.namespace ?? loaded.namespace ?? "default" });
  }

  constructor(private readonly options: KubernetesExecutorOptions) {
    if (!options.runnerId) throw new Error("KubernetesExecutor: runnerId must not be empty");
    this.slots = new Slots(options.size);
    this.size = options.size;
    this.namespace = options.namespace ?? contextNamespace(options.kubeconfig) ?? "default";
    this.api = new KubeApi(options.kubeconfig, {
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
    });
    this.informer = new PodInformer(this.api, {
      namespace: this.namespace,
      labelSelector: runnerSelector(options.runnerId),
      ...(options.watchBackoff ? { backoff: options.watchBackoff } : {}),
      ...(options.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
      onError: (error) => this.warn(`the watch of the runner's pods failed and will be opened again: ${(error as Error)?.message ?? String(error)}`),
    });
    this.warm = options.warm
      ? new WarmPods({
          api: this.api,
          namespace: this.namespace,
          runnerId: options.runnerId,
          launch: options.warm,
          reports: options.reports,
          stopGraceSeconds: options.stopGraceSeconds ?? DEFAULT_STOP_GRACE_SECONDS,
          warn: (message) => this.warn(message),
        })
      : undefined;
    this.stopEvents = [
      this.informer.onEvent((event) => {
        this.warm?.podEvent(event);
        const tracked = this.tracked.get(event.pod.metadata?.name ?? "");
        if (!tracked) return;
        if (event.type === "upsert") tracked.update(event.pod);
        else tracked.deleted(event.pod);
      }),
      this.informer.onSync((listStartedAt) => {
        for (const [name, tracked] of this.tracked) if (!this.informer.get(name)) tracked.absentFrom(listStartedAt);
      }),
    ];
  }

  /** The label selector of this runner's pods. */
  get labelSelector(): string {
    return runnerSelector(this.options.runnerId);
  }

  run(job: Job, options: JobOptions = {}): Promise<JobResult> {
    return this.runAs(job, options, "");
  }

  /**
   * The executor as one tenant (the runner gives each execution its
   * project's): its warm attempts share worker pods only with that tenant's.
   */
  forTenant(tenant: string): TaskExecutor {
    return { size: this.size, run: (job, options = {}) => this.runAs(job, options, tenant), resume: (job, options) => this.resume(job, options) };
  }

  private async runAs(job: Job, options: JobOptions, tenant: string): Promise<JobResult> {
    if (job.type !== "run" && job.type !== "expand") {
      return failed({ code: "JOB_NOT_SUPPORTED", kind: "system", message: `the Kubernetes executor runs task attempts and dynamic expansions, not "${job.type}" jobs` });
    }
    // An attempt paused for a debugger gets a pod of its own: a warm worker serves others' tasks.
    if (options.task?.reuse && this.warm && !job.debug) return this.runWarm(job, options, this.warm, tenant);
    return this.inSlot(job.attempt, job.entity, options, (stop) => this.runAttempt(job, options, stop));
  }

  /**
   * The engine's way back to an attempt a stopped runner left open: waits on
   * the pod an earlier runner started for it, as `run` would have. An attempt
   * whose pod is gone without a result was recorded but never started (the
   * runner stopped in between), or its pod was removed before it reported:
   * its pod is started now, under the same attempt.
   */
  resume(job: Extract<Job, { attempt: unknown }>, options: JobOptions = {}): Promise<JobResult> {
    if (options.task?.reuse && this.warm) return this.warm.resume(job);
    return this.inSlot(job.attempt, job.entity, options, (stop) => this.adoptAttempt(job.attempt, options, stop, job));
  }

  /** Waits on the pod an earlier runner started for `ref`; without a pod, its stored result or a system error. */
  adopt(ref: AttemptRef, options: JobOptions = {}): Promise<JobResult> {
    return this.inSlot(ref, undefined, options, (stop) => this.adoptAttempt(ref, options, stop));
  }

  /**
   * Stops the shared watch. Attempts still waiting fail with EXECUTOR_CLOSED
   * and their pods are left running, for a restarted runner to adopt.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    for (const stop of this.stopEvents) stop();
    await this.warm?.close();
    await this.informer.stop();
  }

  /**
   * An attempt of a task with `reuse`, on a warm worker pod of its pool. It
   * takes no slot: it creates no pod of its own, and the pool's bounds cap
   * the pods it starts. Detached, it is stopped like a cancelled one: a warm
   * pod answers to the runner that started it, so the runner that takes the
   * execution over runs the attempt again rather than adopt it, and the two
   * must not run side by side.
   */
  private async runWarm(job: AttemptJob, options: JobOptions, warm: WarmPods, tenant: string): Promise<JobResult> {
    if (this.closed) return failed({ code: "EXECUTOR_CLOSED", kind: "system", message: "the Kubernetes executor was closed" });
    this.startWatching();
    const cut = anyAborted([options.signal, options.detach]);
    const stop = new AttemptStop({ ...options, signal: cut.signal });
    try {
      return await warm.run(job, options, stop, tenant);
    } finally {
      stop.dispose();
      cut.dispose();
    }
  }

  private async inSlot(ref: AttemptRef, entity: string | undefined, options: JobOptions, body: (stop: AttemptStop) => Promise<JobResult>): Promise<JobResult> {
    const closedError = failed({ code: "EXECUTOR_CLOSED", kind: "system", message: "the Kubernetes executor was closed" });
    if (this.closed) return closedError;
    const subject = subjectOf(ref, podName(ref), this.namespace, entity);
    let release: () => void;
    const waiting = anyAborted([options.signal, options.detach]);
    try {
      release = await this.slots.acquire(waiting.signal);
    } catch {
      return options.detach?.aborted ? detachedError(subject, false) : failed(cancelledError(subject, false));
    } finally {
      waiting.dispose();
    }
    if (this.closed || options.detach?.aborted) {
      release();
      return this.closed ? closedError : detachedError(subject, false);
    }
    const stop = new AttemptStop(options);
    try {
      this.startWatching();
      return await body(stop);
    } finally {
      stop.dispose();
      release();
    }
  }

  private startWatching(): void {
    if (this.started) return;
    this.started = true;
    this.informer.start();
  }

  private async runAttempt(job: AttemptJob, options: JobOptions, stop: AttemptStop): Promise<JobResult> {
    const ref = job.attempt;
    const name = podName(ref);
    const subject = subjectOf(ref, name, this.namespace, job.entity);
    return this.watching(name, subject, (tracked) => this.startPod(job, options, stop, tracked, subject));
  }

  /** Creates the attempt's pod (or finds the one a retried create made) and waits on it. */
  private async startPod(job: AttemptJob, options: JobOptions, stop: AttemptStop, tracked: TrackedPod, subject: PodSubject): Promise<JobResult> {
    const ref = job.attempt;
    const name = subject.pod;
    let container: PodContainer;
    try {
      container = await this.options.launch.container({
        job,
        attempt: ref,
        pod: { name, namespace: this.namespace },
        ...(options.task?.image !== undefined ? { image: options.task.image } : {}),
      });
    } catch (error) {
      return failed({ ...errorAbout(subject), code: "POD_LAUNCH_FAILED", kind: "system", message: `preparing the pod of ${describe(subject)} failed: ${(error as Error)?.message ?? String(error)}` });
    }
    if (options.detach?.aborted) return detachedError(subject, false);
    try {
      const pod = attemptPod({
        name,
        namespace: this.namespace,
        runnerId: this.options.runnerId,
        attempt: ref,
        entity: job.entity,
        container,
        ...(options.task ? { task: options.task } : {}),
        ...(this.options.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: this.options.terminationGracePeriodSeconds } : {}),
      });
      const outcome = await this.api.createPod(this.namespace, pod, stop.signal);
      if (outcome.created) {
        tracked.existsAt(Date.now());
        tracked.seed(outcome.pod);
      } else {
        // A pod of this attempt exists already (a retried create, a restarted runner): wait on it.
        const attached = await this.attach(tracked, subject, stop);
        if (attached === "absent") tracked.deleted(undefined);
        else if (attached) return attached;
      }
    } catch (error) {
      if (stop.reason) return this.stopped(stop.reason, subject, options);
      return failed(apiError("POD_CREATE_FAILED", subject, error));
    }
    return this.await(tracked, ref, subject, options, stop);
  }

  /** `job`, when known, starts the attempt's pod if there is none and no result either (see `resume`). */
  private async adoptAttempt(ref: AttemptRef, options: JobOptions, stop: AttemptStop, job?: AttemptJob): Promise<JobResult> {
    const name = podName(ref);
    const subject = subjectOf(ref, name, this.namespace, job?.entity);
    return this.watching(name, subject, async (tracked) => {
      try {
        const attached = await this.attach(tracked, subject, stop);
        if (attached === "absent") {
          // Gone already: it ended and its result was reported, or it never started.
          const report = await this.options.reports.get(ref);
          if (report) return report;
          if (job) {
            this.warn(`${describe(subject)}, attempt ${ref.attempt}, has no pod and no result: starting its pod ${subject.namespace}/${name} now`);
            return await this.startPod(job, options, stop, tracked, subject);
          }
          return failed({ ...errorAbout(subject), code: "POD_NOT_FOUND", kind: "system", message: `there is no pod ${subject.namespace}/${name} for ${describe(subject)}, attempt ${ref.attempt}, and it reported no result` });
        }
        if (attached) return attached;
      } catch (error) {
        if (stop.reason) return this.stopped(stop.reason, subject, options);
        return failed(apiError("POD_READ_FAILED", subject, error));
      }
      return this.await(tracked, ref, subject, options, stop);
    });
  }

  /** Tracks the pod by name for the length of `body`; one attempt per pod at a time. */
  private async watching(name: string, subject: PodSubject, body: (tracked: TrackedPod) => Promise<JobResult>): Promise<JobResult> {
    if (this.tracked.has(name)) {
      return failed({ ...errorAbout(subject), code: "ATTEMPT_ALREADY_RUNNING", kind: "system", message: `pod ${subject.namespace}/${name} is already being waited on by this runner` });
    }
    const tracked = new TrackedPod(name);
    this.tracked.set(name, tracked);
    try {
      const known = this.informer.get(name);
      if (known) tracked.seed(known);
      return await body(tracked);
    } finally {
      this.tracked.delete(name);
    }
  }

  /**
   * Reads an existing pod to wait on: undefined when it is tracked, a
   * failure when it belongs to someone else, "absent" when there is none.
   */
  private async attach(tracked: TrackedPod, subject: PodSubject, stop: AttemptStop): Promise<JobResult | "absent" | undefined> {
    const readAt = Date.now();
    const existing = await this.api.readPod(this.namespace, subject.pod, stop.signal);
    if (!existing) return "absent";
    const labels = existing.metadata?.labels ?? {};
    if (labels[LABELS.runner] !== labelValue(this.options.runnerId) || existing.metadata?.annotations?.[ANNOTATIONS.nodeId] !== subject.nodeId) {
      return failed({
        ...errorAbout(subject),
        code: "POD_NAME_TAKEN",
        kind: "system",
        message: `pod ${subject.namespace}/${subject.pod} exists but is not this runner's pod for node "${subject.nodeId}" (runner label "${labels[LABELS.runner] ?? ""}"); delete it or use another namespace`,
      });
    }
    subject.entity ??= existing.metadata?.annotations?.[ANNOTATIONS.entity];
    tracked.existsAt(readAt);
    tracked.seed(existing);
    return undefined;
  }

  /** Waits for the pod to end (or the attempt to be stopped), following its log; then the result, and the pod goes. */
  private async await(tracked: TrackedPod, ref: AttemptRef, subject: PodSubject, options: JobOptions, stop: AttemptStop): Promise<JobResult> {
    const log = new PodLog(
      this.api,
      { namespace: this.namespace, pod: subject.pod, container: CONTAINER_NAME },
      (text) => options.onLog?.("stdout", text),
      (error) => this.warn(`reading the log of pod ${this.namespace}/${subject.pod} failed: ${(error as Error)?.message ?? String(error)}`),
      options.logBytesKept,
    );
    tracked.whenRunning(() => log.startFollowing());
    const listening: (() => void)[] = [];
    const closed = new Promise<"closed" | "detached">((resolve) => {
      listening.push(onAbort(this.closing.signal, () => resolve("closed")));
      if (options.detach) listening.push(onAbort(options.detach, () => resolve("detached")));
    });
    let end: PodEnd | StopReason | "closed" | "detached";
    try {
      end = await Promise.race([tracked.ended, stop.stopped, closed]);
    } finally {
      for (const stopListening of listening) stopListening();
    }
    if (end === "detached") {
      log.stop();
      return detachedError(subject, true);
    }
    if (end === "closed") {
      log.stop();
      return failed({
        ...errorAbout(subject),
        code: "EXECUTOR_CLOSED",
        kind: "system",
        message: `the runner stopped waiting on pod ${subject.namespace}/${subject.pod} of ${describe(subject)}; the pod was left as it was, for a restarted runner to adopt`,
      });
    }
    if (typeof end === "string") {
      log.stop();
      return this.stopped(end, subject, options);
    }
    await log.finish(this.options.logDrainMs ?? DEFAULT_LOG_DRAIN_MS);
    let result: JobResult;
    try {
      result = attemptResult(end, await this.options.reports.get(ref), subject);
    } catch (error) {
      result = failed({ ...errorAbout(subject), code: "REPORT_READ_FAILED", kind: "system", message: `reading the result of pod ${subject.namespace}/${subject.pod} failed: ${(error as Error)?.message ?? String(error)}` });
    }
    await this.deletePod(subject.pod, undefined);
    return result;
  }

  /** A timeout or cancellation: the pod is deleted and the attempt fails as such. */
  private async stopped(reason: StopReason, subject: PodSubject, options: JobOptions): Promise<JobResult> {
    const deleted = await this.deletePod(subject.pod, this.options.stopGraceSeconds ?? DEFAULT_STOP_GRACE_SECONDS);
    if (reason === "timeout") {
      return failed({
        ...errorAbout(subject),
        code: "TASK_TIMEOUT",
        kind: "timeout",
        message: `${describe(subject)} ran longer than its timeout of ${formatMs(options.timeoutMs ?? 0)}; its pod ${subject.namespace}/${subject.pod} ${deleted ? "is deleted" : "could not be deleted"}`,
      });
    }
    return failed(cancelledError(subject, deleted));
  }

  /** Deletes a pod (one already gone is fine); true when no pod is left. A failure is a warning, never the attempt's result. */
  private async deletePod(name: string, gracePeriodSeconds: number | undefined): Promise<boolean> {
    try {
      await this.api.deletePod(this.namespace, name, gracePeriodSeconds);
      return true;
    } catch (error) {
      this.warn(`deleting pod ${this.namespace}/${name} failed: ${(error as Error)?.message ?? String(error)}`);
      return false;
    }
  }

  private warn(message: string): void {
    this.options.onWarning?.(message);
  }
}

function contextNamespace(kubeconfig: KubeConfig): string | undefined {
  const current = kubeconfig.getCurrentContext();
  return current ? (kubeconfig.getContextObject(current)?.namespace ?? undefined) : undefined;
}

function subjectOf(ref: AttemptRef, pod: string, namespace: string, entity: string | undefined): PodSubject {
  return { pod, namespace, nodeId: ref.nodeId, ...(entity !== undefined ? { entity } : {}) };
}

function errorAbout(subject: PodSubject): Pick<ErrorInfo, "entity" | "node"> {
  return { node: subject.nodeId, ...(subject.entity !== undefined ? { entity: subject.entity } : {}) };
}

function describe(subject: PodSubject): string {
  return subject.entity !== undefined ? `task "${subject.entity}" (node ${subject.nodeId})` : `node ${subject.nodeId}`;
}

function cancelledError(subject: PodSubject, podDeleted: boolean): ErrorInfo {
  return {
    ...errorAbout(subject),
    code: "CANCELLED",
    kind: "user",
    message: `${describe(subject)} was cancelled${podDeleted ? `; its pod ${subject.namespace}/${subject.pod} is deleted` : ""}`,
  };
}

/** The runner stopped driving the execution (another replica took it over): its pod, if any, is left to that replica. */
function detachedError(subject: PodSubject, podLeft: boolean): JobResult {
  return failed({
    ...errorAbout(subject),
    code: "EXECUTION_ABANDONED",
    kind: "system",
    message: `this runner stopped driving the execution of ${describe(subject)}${podLeft ? `; its pod ${subject.namespace}/${subject.pod} was left running for the runner that took the execution over` : ""}`,
  });
}

function apiError(code: string, subject: PodSubject, error: unknown): ErrorInfo {
  const message = error instanceof KubeApiError ? error.message : `${(error as Error)?.message ?? String(error)}`;
  return { ...errorAbout(subject), code, kind: "system", message: `${describe(subject)}: ${message}` };
}

function failed(error: ErrorInfo): JobResult {
  return { ok: false, error };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
