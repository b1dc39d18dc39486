/**
 * The pod of one attempt, as a pure function of the attempt, the container
 * its launch gave and the task's resources.
 */
import type { V1Pod, V1PodSpec, V1ResourceRequirements } from "@kubernetes/client-node";
import type { Resources } from "../../sdk/types.ts";
import type { AttemptRef } from "../worker/protocol.ts";
import { ANNOTATIONS, LABELS, labelValue, MANAGED_BY } from "./pod-names.ts";
import { DEFAULT_POD_IMAGE, type PodContainer } from "./pod-launch.ts";

/** The one container of an attempt's pod. */
export const CONTAINER_NAME = "task";
export const GPU_RESOURCE = "nvidia.com/gpu";

export interface PodSpecInput {
  name: string;
  namespace: string;
  runnerId: string;
  attempt: AttemptRef;
  entity: string;
  container: PodContainer;
  task?: { image?: string; resources?: Resources };
  terminationGracePeriodSeconds?: number;
}

export function attemptPod(input: PodSpecInput): V1Pod {
  const { attempt, container } = input;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: {
        [LABELS.managedBy]: MANAGED_BY,
        [LABELS.runner]: labelValue(input.runnerId),
        [LABELS.execution]: labelValue(attempt.executionId),
        [LABELS.node]: labelValue(attempt.nodeId),
        [LABELS.attempt]: String(attempt.attempt),
      },
      // Labels are cut and sanitized; the annotations keep the ids whole.
      annotations: {
        [ANNOTATIONS.executionId]: attempt.executionId,
        [ANNOTATIONS.nodeId]: attempt.nodeId,
        [ANNOTATIONS.entity]: input.entity,
      },
    },
    spec: agentPodSpec(container, input.task, input.terminationGracePeriodSeconds),
  };
}

/**
 * The spec every pod of aloft's gets: one container running the agent, the
 * task's image (else the stock one) and resources, no retries by the kubelet.
 * The agent talks to the runner service, never to the Kubernetes API.
 */
export function agentPodSpec(container: PodContainer, task: { image?: string; resources?: Resources } | undefined, terminationGracePeriodSeconds?: number): V1PodSpec {
  const resources = resourceRequirements(task?.resources);
  const env = Object.entries(container.env ?? {}).map(([name, value]) => ({ name, value }));
  return {
    restartPolicy: "Never",
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    ...(terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds } : {}),
    containers: [
      {
        name: CONTAINER_NAME,
        image: container.image ?? task?.image ?? DEFAULT_POD_IMAGE,
        command: container.command,
        ...(container.args?.length ? { args: container.args } : {}),
        ...(env.length ? { env } : {}),
        ...(resources ? { resources } : {}),
      },
    ],
  };
}

/**
 * Requests equal to limits (the pod is scheduled where what it may use is
 * free); quantities go as the task gave them, they were validated before.
 */
export function resourceRequirements(resources: Resources | undefined): V1ResourceRequirements | undefined {
  if (!resources) return undefined;
  const amounts: Record<string, string> = {};
  if (resources.cpu !== undefined) amounts.cpu = String(resources.cpu);
  if (resources.memory !== undefined) amounts.memory = resources.memory;
  if (resources.gpu !== undefined && resources.gpu > 0) amounts[GPU_RESOURCE] = String(resources.gpu);
  if (Object.keys(amounts).length === 0) return undefined;
  return { requests: { ...amounts }, limits: { ...amounts } };
}
