import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { V1ContainerState, V1Pod, V1PodStatus } from "@kubernetes/client-node";
import { attemptResult, deletedPodEnd, type PodEnd, podFailure, podProgress } from "./pod-outcome.ts";

const subject = { pod: "aloft-e-n-1234abcd-1", namespace: "batch", nodeId: "n", entity: "train" };

function pod(status: V1PodStatus, extra: { deleting?: boolean; memoryLimit?: string } = {}): V1Pod {
  return {
    metadata: { name: subject.pod, namespace: subject.namespace, ...(extra.deleting ? { deletionTimestamp: new Date() } : {}) },
    spec: {
      containers: [{ name: "task", image: "node:20-slim", ...(extra.memoryLimit ? { resources: { limits: { memory: extra.memoryLimit } } } : {}) }],
    },
    status,
  };
}

const container = (state: V1ContainerState) => [{ name: "task", image: "node:20-slim", imageID: "", ready: false, restartCount: 0, state }];
const terminated = (exitCode: number, reason: string, message?: string) =>
  container({ terminated: { exitCode, reason, ...(message ? { message } : {}) } });

function ended(p: V1Pod): PodEnd {
  const progress = podProgress(p);
  assert.equal(progress.state, "ended", `expected ${JSON.stringify(p.status)} to have ended`);
  return (progress as { end: PodEnd }).end;
}

function failure(p: V1Pod | PodEnd) {
  return podFailure("how" in p ? p : ended(p), subject);
}

describe("pod progress", () => {
  it("reads pending, running and ended pods", () => {
    assert.deepEqual(podProgress(pod({ phase: "Pending" })), { state: "pending" });
    assert.deepEqual(podProgress(pod({ phase: "Pending", containerStatuses: container({ waiting: { reason: "ContainerCreating" } }) })), { state: "pending" });
    assert.deepEqual(podProgress(pod({ phase: "Running" })), { state: "running" });
    assert.deepEqual(podProgress(pod({ phase: "Unknown" })), { state: "pending" });
    assert.equal(podProgress(pod({ phase: "Succeeded" })).state, "ended");
    assert.equal(podProgress(pod({ phase: "Failed" })).state, "ended");
  });

  it("takes a pod that cannot pull its image as ended, though Kubernetes keeps it pending", () => {
    for (const reason of ["ErrImagePull", "ImagePullBackOff", "InvalidImageName"]) {
      const p = pod({ phase: "Pending", containerStatuses: container({ waiting: { reason, message: `Back-off pulling image "node:20-slim"` } }) });
      assert.deepEqual(ended(p), { how: "unstartable", pod: p, reason, message: `Back-off pulling image "node:20-slim"` });
    }
  });
});

describe("failure classification", () => {
  it("calls an image that cannot be pulled a system error naming the image", () => {
    const error = failure(pod({ phase: "Pending", containerStatuses: container({ waiting: { reason: "ImagePullBackOff", message: "Back-off pulling image" } }) }));
    assert.deepEqual(error, {
      code: "POD_IMAGE_PULL_FAILED",
      kind: "system",
      node: "n",
      entity: "train",
      message: `pod batch/${subject.pod} could not pull its image "node:20-slim" (ImagePullBackOff: Back-off pulling image)`,
    });
  });

  it("calls OOMKilled a system error, with the memory limit", () => {
    const error = failure(pod({ phase: "Failed", containerStatuses: terminated(137, "OOMKilled") }, { memoryLimit: "512Mi" }));
    assert.equal(error.code, "POD_OOM_KILLED");
    assert.equal(error.kind, "system");
    assert.match(error.message, /ran out of memory and was killed \(OOMKilled, memory limit 512Mi\)/);
  });

  it("calls an eviction a system error with the kubelet's message", () => {
    const error = failure(
      pod({ phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory.", containerStatuses: terminated(137, "Error") }),
    );
    assert.deepEqual([error.code, error.kind], ["POD_EVICTED", "system"]);
    assert.equal(error.message, `pod batch/${subject.pod} was evicted from its node: The node was low on resource: memory.`);
  });

  it("reads lost nodes and preemption from the pod reason or its DisruptionTarget condition", () => {
    const disrupted = (reason: string) =>
      pod({ phase: "Failed", conditions: [{ type: "DisruptionTarget", status: "True", reason, message: "m" }], containerStatuses: terminated(137, "Error") });
    assert.equal(failure(disrupted("DeletionByTaintManager")).code, "POD_NODE_LOST");
    assert.equal(failure(disrupted("DeletionByPodGC")).code, "POD_NODE_LOST");
    assert.equal(failure(disrupted("PreemptionByScheduler")).code, "POD_PREEMPTED");
    assert.equal(failure(disrupted("EvictionByEvictionAPI")).code, "POD_EVICTED");
    assert.equal(failure(pod({ phase: "Failed", reason: "NodeLost", message: "node gone" })).code, "POD_NODE_LOST");
    assert.equal(failure(pod({ phase: "Failed", reason: "DeadlineExceeded" })).code, "POD_FAILED");
    for (const reason of ["DeletionByTaintManager", "PreemptionByScheduler"]) assert.equal(failure(disrupted(reason)).kind, "system");
  });

  it("calls a pod deleted by someone else a system error, unless it had already ended", () => {
    const running = pod({ phase: "Running", containerStatuses: container({ running: {} }) });
    assert.deepEqual(deletedPodEnd(running), { how: "deleted", lastSeen: running });
    assert.equal(failure(deletedPodEnd(running)).code, "POD_DELETED");
    assert.equal(failure(deletedPodEnd(undefined)).code, "POD_DELETED");
    assert.match(failure(deletedPodEnd(undefined)).message, /was deleted before it finished, by someone other than aloft/);
    const killedByDeletion = pod({ phase: "Failed", containerStatuses: terminated(143, "Error") }, { deleting: true });
    assert.equal(failure(killedByDeletion).code, "POD_DELETED");
    const succeeded = pod({ phase: "Succeeded", containerStatuses: terminated(0, "Completed") });
    assert.deepEqual(deletedPodEnd(succeeded), { how: "terminated", pod: succeeded });
  });

  it("names the pod and exit code of a container that exited non-zero without a report", () => {
    const error = failure(pod({ phase: "Failed", containerStatuses: terminated(3, "Error") }));
    assert.deepEqual(error, {
      code: "POD_EXITED",
      kind: "system",
      node: "n",
      entity: "train",
      message: `pod batch/${subject.pod} exited with code 3 without reporting a result`,
    });
    assert.equal(failure(pod({ phase: "Failed", containerStatuses: terminated(128, "StartError", "exec: not found") })).code, "POD_START_FAILED");
  });

  it("says a pod that exited 0 without a report ended without a result", () => {
    const error = failure(pod({ phase: "Succeeded", containerStatuses: terminated(0, "Completed") }));
    assert.deepEqual([error.code, error.kind], ["POD_NO_RESULT", "system"]);
    assert.equal(error.message, `pod batch/${subject.pod} ended without reporting a result (exit code 0)`);
  });
});

describe("attempt result", () => {
  const taskError = { ok: false as const, error: { code: "TASK_FAILED", kind: "user" as const, message: "bad input", entity: "train" } };

  it("is the reported result whatever became of the pod after", () => {
    const exited = ended(pod({ phase: "Failed", containerStatuses: terminated(1, "Error") }));
    assert.deepEqual(attemptResult(exited, taskError, subject), taskError, "a task error keeps the user kind, so the task's retries apply");
    const oom = ended(pod({ phase: "Failed", containerStatuses: terminated(137, "OOMKilled") }));
    assert.deepEqual(attemptResult(oom, { ok: true, output: 1 }, subject), { ok: true, output: 1 });
  });

  it("is the pod's failure when nothing was reported", () => {
    const oom = ended(pod({ phase: "Failed", containerStatuses: terminated(137, "OOMKilled") }));
    const result = attemptResult(oom, undefined, subject);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.code, "POD_OOM_KILLED");
  });
});
