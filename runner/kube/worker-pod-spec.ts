/**
 * Warm worker pods: their names, labels and spec. They carry the runner's
 * label (so the runner's one watch sees them) and a role label that keeps
 * them apart from attempt pods; their container is the task pod's, with the
 * agent in worker mode.
 */
import type { V1Pod } from "@kubernetes/client-node";
import { LABELS, labelValue, MANAGED_BY } from "./pod-names.ts";
import type { PodContainer } from "./pod-launch.ts";
import { agentPodSpec } from "./pod-spec.ts";
import type { PoolShape } from "./warm-pool-plan.ts";

export const WORKER_LABELS = {
  role: "aloft.dev/role",
  pool: "aloft.dev/pool",
  instance: "aloft.dev/runner-instance",
} as const;

export const WORKER_ROLE = "worker";

/** `aloft-worker-<pool>-<runner instance>-<n>`: unique per runner start, so a restarted runner never meets an old name. */
export function workerPodName(pool: string, instance: string, n: number): string {
  return `aloft-worker-${pool}-${instance}-${n}`;
}

export function isWorkerPod(pod: V1Pod): boolean {
  return pod.metadata?.labels?.[WORKER_LABELS.role] === WORKER_ROLE;
}

export interface WorkerPodInput {
  name: string;
  namespace: string;
  runnerId: string;
  instance: string;
  shape: PoolShape;
  container: PodContainer;
}

export function workerPod(input: WorkerPodInput): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: {
        [LABELS.managedBy]: MANAGED_BY,
        [LABELS.runner]: labelValue(input.runnerId),
        [WORKER_LABELS.role]: WORKER_ROLE,
        [WORKER_LABELS.pool]: input.shape.id,
        [WORKER_LABELS.instance]: input.instance,
      },
    },
    spec: agentPodSpec(input.container, input.shape),
  };
}
