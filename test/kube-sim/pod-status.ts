// The pod statuses a kubelet reports, in order: scheduled and creating the
// container, running, terminated. Pure functions of the pod and the facts.
import type { ContainerState, ContainerStatus, Pod, PodPhase, PodStatus } from "./objects.ts";
import { timestamp } from "./objects.ts";

export const nodeName = "kube-sim-node";
export const hostIP = "127.0.0.1";

export interface Termination {
  exitCode: number;
  signal?: number;
  /** The container's reason: Completed, Error, OOMKilled, StartError. */
  reason: string;
  message?: string;
  startedAt?: string;
  finishedAt: string;
  /** The pod's reason, as a kubelet sets Evicted. */
  podReason?: string;
  podMessage?: string;
}

export function scheduledStatus(pod: Pod): PodStatus {
  const now = timestamp();
  return {
    ...pod.status,
    phase: "Pending",
    conditions: [
      { type: "PodScheduled", status: "True", lastTransitionTime: now },
      { type: "Initialized", status: "True", lastTransitionTime: now },
      { type: "ContainersReady", status: "False", reason: "ContainersNotReady", lastTransitionTime: now },
      { type: "Ready", status: "False", reason: "ContainersNotReady", lastTransitionTime: now },
    ],
    hostIP,
    startTime: now,
    containerStatuses: [containerStatus(pod, { waiting: { reason: "ContainerCreating" } }, false)],
  };
}

export function runningStatus(pod: Pod, startedAt: string, containerID: string): PodStatus {
  return {
    ...pod.status,
    phase: "Running",
    conditions: conditions(pod, "True"),
    podIP: hostIP,
    podIPs: [{ ip: hostIP }],
    containerStatuses: [{ ...containerStatus(pod, { running: { startedAt } }, true), containerID }],
  };
}

export function terminatedStatus(pod: Pod, end: Termination, containerID: string | undefined): PodStatus {
  const phase: PodPhase = end.exitCode === 0 && !end.podReason ? "Succeeded" : "Failed";
  const terminated = {
    exitCode: end.exitCode,
    ...(end.signal !== undefined ? { signal: end.signal } : {}),
    reason: end.reason,
    ...(end.message !== undefined ? { message: end.message } : {}),
    ...(end.startedAt !== undefined ? { startedAt: end.startedAt } : {}),
    finishedAt: end.finishedAt,
    ...(containerID !== undefined ? { containerID } : {}),
  };
  const status: PodStatus = {
    ...pod.status,
    phase,
    conditions: conditions(pod, "False", "PodCompleted"),
    containerStatuses: [{ ...containerStatus(pod, { terminated }, false), ...(containerID !== undefined ? { containerID } : {}) }],
  };
  if (end.podReason) {
    status.reason = end.podReason;
    if (end.podMessage) status.message = end.podMessage;
  }
  return status;
}

function containerStatus(pod: Pod, state: ContainerState, running: boolean): ContainerStatus {
  const container = pod.spec.containers[0]!;
  return {
    name: container.name,
    image: container.image ?? "",
    imageID: "",
    ready: running,
    started: running,
    restartCount: 0,
    state,
  };
}

function conditions(pod: Pod, ready: "True" | "False", reason?: string): NonNullable<PodStatus["conditions"]> {
  const now = timestamp();
  const scheduled = pod.status.conditions?.find((c) => c.type === "PodScheduled")?.lastTransitionTime ?? now;
  const readiness = { status: ready, ...(reason ? { reason } : {}), lastTransitionTime: now };
  return [
    { type: "PodScheduled", status: "True", lastTransitionTime: scheduled },
    { type: "Initialized", status: "True", lastTransitionTime: scheduled },
    { type: "ContainersReady", ...readiness },
    { type: "Ready", ...readiness },
  ];
}
