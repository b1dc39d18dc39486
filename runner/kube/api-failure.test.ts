// How real client-node failures are read: from the Kubernetes API
// simulator (429 with Retry-After, AlreadyExists, a refused watch) and from
// a port nobody listens on.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { CoreV1Api, KubeConfig, Watch } from "@kubernetes/client-node";
import { KubeSimulator } from "../../test/kube-sim/simulator.ts";
import { type ApiFailure, describeApiFailure } from "./api-failure.ts";
import { isRetryable } from "./api-retry.ts";

describe("reading client-node failures", () => {
  let sim: KubeSimulator;
  let core: CoreV1Api;
  let kc: KubeConfig;
  before(async () => {
    sim = await KubeSimulator.start();
    kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig());
    core = kc.makeApiClient(CoreV1Api);
  });
  after(() => sim.stop());

  async function failureOf(call: () => Promise<unknown>): Promise<ApiFailure> {
    try {
      await call();
    } catch (error) {
      return describeApiFailure(error);
    }
    throw new Error("the call did not fail");
  }

  it("reads a 429's status, reason and Retry-After", async () => {
    sim.injectFault({ verb: "list", resource: "pods", status: 429, count: 1, retryAfterSeconds: 3 });
    const failure = await failureOf(() => core.listNamespacedPod({ namespace: "default" }));
    assert.deepEqual(failure, { status: 429, reason: "TooManyRequests", message: "Too many requests, please try again later.", retryAfterMs: 3000, connection: false, aborted: false });
  });

  it("reads AlreadyExists apart from other conflicts", async () => {
    const body = { metadata: { name: "twice" }, spec: { restartPolicy: "Never", containers: [{ name: "c", image: "i", command: [process.execPath, "-e", ""] }] } };
    await core.createNamespacedPod({ namespace: "default", body });
    const failure = await failureOf(() => core.createNamespacedPod({ namespace: "default", body }));
    assert.deepEqual([failure.status, failure.reason, isRetryable(failure)], [409, "AlreadyExists", false]);
  });

  it("reads a watch refused with 503", async () => {
    sim.injectFault({ verb: "watch", resource: "pods", status: 503, count: 1 });
    const ended = await new Promise<unknown>((resolve) => void new Watch(kc).watch("/api/v1/namespaces/default/pods", {}, () => {}, resolve));
    const failure = describeApiFailure(ended);
    assert.deepEqual([failure.status, isRetryable(failure)], [503, true]);
  });

  it("reads a refused connection as a connection failure", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const nowhere = new KubeConfig();
    nowhere.loadFromString(sim.kubeconfig().replace(sim.url, `http://127.0.0.1:${port}`));
    const failure = await failureOf(() => nowhere.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: "default" }));
    assert.equal(failure.connection, true, JSON.stringify(failure));
    assert.equal(isRetryable(failure), true);
  });
});
