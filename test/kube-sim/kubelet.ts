// The simulated node: takes each created pod through Pending → Running →
// Succeeded/Failed by running its container as a local process, kills it on
// delete (SIGTERM, SIGKILL after the grace period), and fails pods on demand
// as OOMKilled or Evicted.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ContainerLog } from "./container-log.ts";
import { ContainerProcess, type ContainerExit } from "./container-process.ts";
import type { Pod } from "./objects.ts";
import { timestamp } from "./objects.ts";
import type { ObjectStore } from "./object-store.ts";
import { type PodFaultReason, PodFaults } from "./pod-faults.ts";
import { nodeName, runningStatus, scheduledStatus, type Termination, terminatedStatus } from "./pod-status.ts";
import { ApiError } from "./responses.ts";

interface PodRun {
  namespace: string;
  name: string;
  startTimer?: NodeJS.Timeout;
  process?: ContainerProcess;
  containerID?: string;
  startedAt?: string;
  log?: ContainerLog;
  /** Why the pod is being failed on purpose, once it is. */
  injected?: PodFaultReason;
  deleting?: { killTimer?: NodeJS.Timeout };
  done?: Promise<void>;
  finished?: boolean;
}

export class Kubelet {
  readonly podFaults = new PodFaults();
  private readonly runs = new Map<string, PodRun>();
  private nextContainer = 1;

  constructor(
    private readonly store: ObjectStore,
    private readonly scratchRoot: string,
    private readonly startLatencyMs: () => number,
  ) {}

  /** Takes a pod the API server just stored. */
  admit(pod: Pod): void {
    const run: PodRun = { namespace: pod.metadata.namespace!, name: pod.metadata.name };
    this.runs.set(runKey(run.namespace, run.name), run);
    // The scheduler binds the pod a moment after it is created, as a separate change.
    run.startTimer = setTimeout(() => {
      this.updatePod(run, (current) => {
        current.spec.nodeName = nodeName;
        current.status = scheduledStatus(current);
      });
      run.startTimer = setTimeout(() => this.start(run), this.startLatencyMs());
    }, 0);
  }

  logOf(namespace: string, name: string): ContainerLog | undefined {
    return this.runs.get(runKey(namespace, name))?.log;
  }

  /**
   * Deletes a pod as the API server and kubelet do together: a pod with a
   * live process is marked for deletion and goes once the process is gone.
   */
  delete(namespace: string, name: string, graceSeconds: number | undefined): Pod {
    const pod = this.store.get("Pod", namespace, name) as Pod | undefined;
    if (!pod) throw new ApiError(404, "NotFound", `pods "${name}" not found`, { name, kind: "pods" });
    const run = this.runs.get(runKey(namespace, name));
    const grace = graceSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (!run?.process || run.finished) {
      if (run?.startTimer) clearTimeout(run.startTimer);
      this.runs.delete(runKey(namespace, name));
      this.store.remove("Pod", namespace, name);
      return pod;
    }
    if (run.deleting) return pod;
    run.deleting = {};
    const marked = this.updatePod(run, (current) => {
      current.metadata.deletionTimestamp = timestamp(new Date(Date.now() + grace * 1000));
      current.metadata.deletionGracePeriodSeconds = grace;
    });
    if (grace === 0) {
      run.process.signal("SIGKILL");
    } else {
      run.process.signal("SIGTERM");
      run.deleting.killTimer = setTimeout(() => run.process?.signal("SIGKILL"), grace * 1000);
    }
    return marked ?? pod;
  }

  /** Fails a pod now, or as soon as it starts when it is still pending. */
  fail(namespace: string, name: string, reason: PodFaultReason): void {
    const run = this.runs.get(runKey(namespace, name));
    const pod = this.store.get("Pod", namespace, name) as Pod | undefined;
    if (!run || !pod) throw new ApiError(404, "NotFound", `pods "${name}" not found`, { name, kind: "pods" });
    if (pod.status.phase === "Succeeded" || pod.status.phase === "Failed") {
      throw new ApiError(409, "Conflict", `pod "${namespace}/${name}" has already ended (${pod.status.phase}); it cannot be failed as ${reason}`);
    }
    run.injected = reason;
    // The OOM killer and a hard eviction both kill at once, without a grace period.
    run.process?.signal("SIGKILL");
  }

  /** Kills every process and waits for them to be gone. */
  async shutdown(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const run of this.runs.values()) {
      if (run.startTimer) clearTimeout(run.startTimer);
      if (run.deleting?.killTimer) clearTimeout(run.deleting.killTimer);
      run.process?.signal("SIGKILL");
      if (run.done) waits.push(run.done);
    }
    await Promise.all(waits);
    this.runs.clear();
  }

  private start(run: PodRun): void {
    run.startTimer = undefined;
    const pod = this.store.get("Pod", run.namespace, run.name) as Pod | undefined;
    if (!pod) return;
    const scratch = join(this.scratchRoot, `${run.namespace}-${run.name}-${pod.metadata.uid}`);
    mkdirSync(scratch, { recursive: true });
    run.log = new ContainerLog();
    run.containerID = `kube-sim://${this.nextContainer++}`;
    const log = run.log;
    const container = ContainerProcess.start(pod, scratch, (stream, chunk) => log.append(stream, chunk), () => {
      run.startedAt = timestamp();
      this.updatePod(run, (current) => {
        current.status = runningStatus(current, run.startedAt!, run.containerID!);
      });
      if (run.injected) container.signal("SIGKILL");
      const fault = this.podFaults.take(pod);
      if (fault) {
        setTimeout(() => {
          if (!run.injected && !run.deleting) this.failRunning(run, fault.reason);
        }, fault.afterRunningMs);
      }
    });
    run.process = container;
    run.done = container.exited.then((exit) => this.finish(run, exit));
  }

  private failRunning(run: PodRun, reason: PodFaultReason): void {
    run.injected = reason;
    run.process?.signal("SIGKILL");
  }

  private finish(run: PodRun, exit: ContainerExit): void {
    run.finished = true;
    run.log?.end();
    if (run.deleting?.killTimer) clearTimeout(run.deleting.killTimer);
    this.updatePod(run, (current) => {
      current.status = terminatedStatus(current, termination(run, exit), run.containerID);
    });
    if (run.deleting) {
      this.store.remove("Pod", run.namespace, run.name);
      this.runs.delete(runKey(run.namespace, run.name));
    }
  }

  private updatePod(run: PodRun, change: (pod: Pod) => void): Pod | undefined {
    return this.store.update("Pod", run.namespace, run.name, (object) => change(object as Pod)) as Pod | undefined;
  }
}

function termination(run: PodRun, exit: ContainerExit): Termination {
  const finishedAt = timestamp();
  const startedAt = run.startedAt !== undefined ? { startedAt: run.startedAt } : {};
  const signal = exit.signal !== undefined ? { signal: exit.signal } : {};
  if (exit.startError) return { exitCode: exit.exitCode, reason: "StartError", message: exit.startError, finishedAt };
  if (run.injected === "OOMKilled") return { exitCode: 137, reason: "OOMKilled", finishedAt, ...startedAt };
  if (run.injected === "Evicted") {
    return {
      exitCode: 137,
      reason: "Error",
      finishedAt,
      ...startedAt,
      podReason: "Evicted",
      podMessage: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki.",
    };
  }
  return { exitCode: exit.exitCode, reason: exit.exitCode === 0 ? "Completed" : "Error", finishedAt, ...startedAt, ...signal };
}

function runKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
