import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { attemptPod, resourceRequirements } from "./pod-spec.ts";
import { DEFAULT_POD_IMAGE } from "./pod-launch.ts";
import { labelValue } from "./pod-names.ts";

const attempt = { executionId: "lx2k9a1b2c3d4", nodeId: "train/score[3]", attempt: 2 };

describe("attempt pod spec", () => {
  it("holds the container, labels, annotations and resources of the attempt", () => {
    const pod = attemptPod({
      name: "aloft-pod",
      namespace: "batch",
      runnerId: "runner-1",
      attempt,
      entity: "score",
      container: { command: ["node"], args: ["agent.js"], env: { ALOFT_RUNNER: "http://runner:7878" } },
      task: { image: "ghcr.io/acme/score:1", resources: { cpu: 2, memory: "4Gi", gpu: 1 } },
      terminationGracePeriodSeconds: 10,
    });
    assert.deepEqual(pod, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "aloft-pod",
        namespace: "batch",
        labels: {
          "app.kubernetes.io/managed-by": "aloft",
          "aloft.dev/runner": "runner-1",
          "aloft.dev/execution": "lx2k9a1b2c3d4",
          "aloft.dev/node": labelValue("train/score[3]"),
          "aloft.dev/attempt": "2",
        },
        annotations: { "aloft.dev/execution-id": "lx2k9a1b2c3d4", "aloft.dev/node-id": "train/score[3]", "aloft.dev/entity": "score" },
      },
      spec: {
        restartPolicy: "Never",
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        terminationGracePeriodSeconds: 10,
        containers: [
          {
            name: "task",
            image: "ghcr.io/acme/score:1",
            command: ["node"],
            args: ["agent.js"],
            env: [{ name: "ALOFT_RUNNER", value: "http://runner:7878" }],
            resources: {
              requests: { cpu: "2", memory: "4Gi", "nvidia.com/gpu": "1" },
              limits: { cpu: "2", memory: "4Gi", "nvidia.com/gpu": "1" },
            },
          },
        ],
      },
    });
  });

  it("runs a stock Node image when neither the launch nor the task names one, and the launch's when it does", () => {
    const base = { name: "p", namespace: "default", runnerId: "r", attempt, entity: "e" };
    const stock = attemptPod({ ...base, container: { command: ["node"] } });
    assert.equal(stock.spec?.containers[0]?.image, DEFAULT_POD_IMAGE);
    assert.equal(DEFAULT_POD_IMAGE, "node:20-slim");
    assert.equal(stock.spec?.containers[0]?.resources, undefined);
    assert.equal(stock.spec?.containers[0]?.env, undefined);
    const launched = attemptPod({ ...base, container: { command: ["node"], image: "agent:3" }, task: { image: "task:1" } });
    assert.equal(launched.spec?.containers[0]?.image, "agent:3");
  });

  it("gives CPU and memory as written and GPUs as nvidia.com/gpu", () => {
    assert.deepEqual(resourceRequirements({ cpu: "500m" }), { requests: { cpu: "500m" }, limits: { cpu: "500m" } });
    assert.deepEqual(resourceRequirements({ cpu: 0.5, memory: "512Mi" }), { requests: { cpu: "0.5", memory: "512Mi" }, limits: { cpu: "0.5", memory: "512Mi" } });
    assert.deepEqual(resourceRequirements({ gpu: 2 }), { requests: { "nvidia.com/gpu": "2" }, limits: { "nvidia.com/gpu": "2" } });
    assert.equal(resourceRequirements({ gpu: 0 }), undefined);
    assert.equal(resourceRequirements({}), undefined);
    assert.equal(resourceRequirements(undefined), undefined);
  });
});
