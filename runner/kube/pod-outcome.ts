/**
 * What a pod's status means for its attempt, as pure functions: whether the
 * pod is pending, running or has ended, and, once it has, the attempt's
 * result. The result the agent reported wins: it reports only once the task
 * has finished and its outputs are stored. Without a report, the pod's fate
 * is the machine's fault (a system error, retried on the system budget).
 */
import type { V1ContainerStateTerminated, V1Pod, V1PodCondition } from "@kubernetes/client-node";
import type { ErrorInfo } from "../../compiler/errors.ts";
import type { JobResult } from "../worker/protocol.ts";

export type PodEnd =
  /** The pod reached phase Succeeded or Failed. */
  | { how: "terminated"; pod: V1Pod }
  /** The pod cannot start: its image cannot be pulled. Kubernetes would keep trying; the attempt does not wait. */
  | { how: "unstartable"; pod: V1Pod; reason: string; message?: string }
  /** The pod went away before it ended, deleted by someone other than this executor. */
  | { how: "deleted"; lastSeen?: V1Pod };

export type PodProgress = { state: "pending" } | { state: "running" } | { state: "ended"; end: PodEnd };

/** Waiting reasons that mean the container will not start without someone changing the pod. */
const UNSTARTABLE_REASONS = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"]);

/** Pod reasons a node gives when it goes away or shuts down with the pod on it. */
const NODE_LOST_REASONS = new Set(["NodeLost", "Shutdown", "NodeShutdown", "Terminated"]);

export interface PodSubject {
  pod: string;
  namespace: string;
  nodeId: string;
  entity?: string;
}

export function podProgress(pod: V1Pod): PodProgress {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return { state: "ended", end: { how: "terminated", pod } };
  const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
  if (waiting?.reason && UNSTARTABLE_REASONS.has(waiting.reason)) {
    return { state: "ended", end: { how: "unstartable", pod, reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } };
  }
  if (phase === "Running") return { state: "running" };
  return { state: "pending" };
}

/** A deleted pod whose last state had already ended is judged by that state. */
export function deletedPodEnd(lastSeen: V1Pod | undefined): PodEnd {
  if (lastSeen) {
    const progress = podProgress(lastSeen);
    if (progress.state === "ended") return progress.end;
  }
  return lastSeen ? { how: "deleted", lastSeen } : { how: "deleted" };
}

export function attemptResult(end: PodEnd, report: JobResult | undefined, subject: PodSubject): JobResult {
  if (report) return report;
  return { ok: false, error: podFailure(end, subject) };
}

/** Why an attempt whose agent reported nothing failed. Always a system error: the task never finished. */
export function podFailure(end: PodEnd, subject: PodSubject): ErrorInfo {
  const fail = (code: string, message: string): ErrorInfo => ({
    code,
    kind: "system",
    message,
    node: subject.nodeId,
    ...(subject.entity !== undefined ? { entity: subject.entity } : {}),
  });
  const pod = `pod ${subject.namespace}/${subject.pod}`;
  switch (end.how) {
    case "deleted":
      return disruption(end.lastSeen, pod, fail) ?? fail("POD_DELETED", `${pod} was deleted before it finished, by someone other than aloft`);
    case "unstartable": {
      const image = end.pod.spec?.containers?.[0]?.image;
      return fail(
        "POD_IMAGE_PULL_FAILED",
        `${pod} could not pull its image${image ? ` "${image}"` : ""} (${end.reason}${end.message ? `: ${end.message}` : ""})`,
      );
    }
    case "terminated":
      return terminationFailure(end.pod, pod, fail);
  }
}

type Fail = (code: string, message: string) => ErrorInfo;

function terminationFailure(status: V1Pod, pod: string, fail: Fail): ErrorInfo {
  const terminated = status.status?.containerStatuses?.[0]?.state?.terminated;
  if (terminated?.reason === "OOMKilled") {
    const limit = status.spec?.containers?.[0]?.resources?.limits?.memory;
    return fail(
      "POD_OOM_KILLED",
      `${pod} ran out of memory and was killed (OOMKilled${limit ? `, memory limit ${limit}` : ""}); give the task more memory (resources.memory) or hold less data at once`,
    );
  }
  const disrupted = disruption(status, pod, fail);
  if (disrupted) return disrupted;
  if (status.metadata?.deletionTimestamp) return fail("POD_DELETED", `${pod} was deleted before it finished, by someone other than aloft${exitText(terminated)}`);
  if (!terminated) return fail("POD_FAILED", `${pod} ended in phase ${status.status?.phase} without reporting a result${reasonText(status)}`);
  if (terminated.exitCode === 0) return fail("POD_NO_RESULT", `${pod} ended without reporting a result (exit code 0)`);
  if (terminated.reason === "StartError" || terminated.reason === "ContainerCannotRun") {
    return fail("POD_START_FAILED", `${pod} could not start its container${terminated.message ? `: ${terminated.message}` : ""}`);
  }
  return fail("POD_EXITED", `${pod} exited with code ${terminated.exitCode}${detail(terminated)} without reporting a result`);
}

/** Evictions, lost nodes and preemptions, read from the pod's reason or its DisruptionTarget condition. */
function disruption(status: V1Pod | undefined, pod: string, fail: Fail): ErrorInfo | undefined {
  if (!status) return undefined;
  const reason = status.status?.reason;
  const message = status.status?.message;
  const because = message ? `: ${message}` : "";
  if (reason === "Evicted") return fail("POD_EVICTED", `${pod} was evicted from its node${because}`);
  if (reason && NODE_LOST_REASONS.has(reason)) return fail("POD_NODE_LOST", `${pod} was lost with its node (${reason}${because})`);
  const target = disruptionTarget(status.status?.conditions);
  if (target) {
    const why = `${target.reason}${target.message ? `: ${target.message}` : ""}`;
    switch (target.reason) {
      case "DeletionByTaintManager":
      case "DeletionByPodGC":
        return fail("POD_NODE_LOST", `${pod} was lost with its node (${why})`);
      case "PreemptionByScheduler":
        return fail("POD_PREEMPTED", `${pod} was preempted by a pod of higher priority (${why})`);
      default:
        return fail("POD_EVICTED", `${pod} was evicted from its node (${why})`);
    }
  }
  if (reason && status.status?.phase === "Failed") return fail("POD_FAILED", `${pod} failed (${reason}${because}) without reporting a result`);
  return undefined;
}

function disruptionTarget(conditions: V1PodCondition[] | undefined): V1PodCondition | undefined {
  return conditions?.find((condition) => condition.type === "DisruptionTarget" && condition.status === "True");
}

function detail(terminated: V1ContainerStateTerminated): string {
  const reason = terminated.reason && terminated.reason !== "Error" ? terminated.reason : "";
  const message = terminated.message ?? "";
  const parts = [reason, message].filter(Boolean).join(": ");
  return parts ? ` (${parts})` : "";
}

function exitText(terminated: V1ContainerStateTerminated | undefined): string {
  return terminated ? ` (it exited with code ${terminated.exitCode})` : "";
}

function reasonText(status: V1Pod): string {
  const reason = status.status?.reason;
  return reason ? ` (${reason}${status.status?.message ? `: ${status.status.message}` : ""})` : "";
}
