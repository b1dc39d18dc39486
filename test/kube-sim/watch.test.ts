// List+watch through client-node's Watch and informer: events from a
// resource version, label selectors, dropped watches (the informer watches
// again from where it was) and 410 Gone (the informer relists).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { nodePod, type SimulatorClient, startSimulator, waitFor } from "./test-support.ts";

const namespace = "watch-test";

describe("kube-sim list and watch", () => {
  let client: SimulatorClient;
  before(async () => {
    client = await startSimulator();
    await client.core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  after(() => client.sim.stop());

  const path = `/api/v1/namespaces/${namespace}/pods`;
  const create = (name: string, labels: Record<string, string> = {}) =>
    client.core.createNamespacedPod({ namespace, body: nodePod(name, "", { labels }) });
  const remove = (name: string) => client.core.deleteNamespacedPod({ namespace, name });

  function informer(labelSelector?: string) {
    const inf = k8s.makeInformer(
      client.kc,
      path,
      () => client.core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) }),
      labelSelector,
    );
    const seen: string[] = [];
    const errors: unknown[] = [];
    inf.on("add", (pod) => seen.push(`add ${pod.metadata?.name}`));
    inf.on("delete", (pod) => seen.push(`delete ${pod.metadata?.name}`));
    // client-node 1.4.0 reports its own abort of the watch on stop() as an "error" (AbortError).
    inf.on("error", (error) => {
      if ((error as Error).name !== "AbortError") errors.push(error);
    });
    return { inf, seen, errors, names: () => inf.list(namespace).map((p) => p.metadata?.name).sort() };
  }

  it("replays the changes after a resource version, then follows new ones", async () => {
    const list = await client.core.listNamespacedPod({ namespace });
    await create("replay-a");
    const events: string[] = [];
    const request = await new k8s.Watch(client.kc).watch(
      path,
      { resourceVersion: list.metadata!.resourceVersion! },
      (type, pod) => events.push(`${type} ${pod.metadata.name} ${pod.status?.phase}`),
      () => {},
    );
    await create("replay-b");
    await waitFor("replay-b's events", () => events.some((e) => e.startsWith("ADDED replay-b")));
    request.abort();
    assert.equal(events[0], "ADDED replay-a Pending");
    assert.ok(events.indexOf("ADDED replay-a Pending") < events.indexOf("ADDED replay-b Pending"));
  });

  it("answers a watch from a compacted resource version with an ERROR event carrying 410", async () => {
    const list = await client.core.listNamespacedPod({ namespace });
    await create("compacted");
    client.sim.compactHistory();
    const events: { type: string; code: unknown }[] = [];
    let ended = false;
    await new k8s.Watch(client.kc).watch(
      path,
      { resourceVersion: list.metadata!.resourceVersion! },
      (type, object) => events.push({ type, code: object.code }),
      () => (ended = true),
    );
    await waitFor("the watch to end", () => ended);
    assert.deepEqual(events, [{ type: "ERROR", code: 410 }]);
  });

  it("feeds an informer only the pods its label selector matches", async () => {
    const { inf, seen, names } = informer("team=informer");
    await inf.start();
    await create("chosen", { team: "informer" });
    await create("other", { team: "someone-else" });
    await waitFor("the informer to see chosen", () => seen.includes("add chosen"));
    await remove("chosen");
    await waitFor("the informer to see chosen deleted", () => seen.includes("delete chosen"));
    await inf.stop();
    assert.deepEqual(seen, ["add chosen", "delete chosen"]);
    assert.deepEqual(names(), []);
  });

  it("lets an informer watch again from where it was after a dropped watch, without relisting", async () => {
    const { inf, seen, errors } = informer("drop=clean");
    client.sim.resetCounts();
    await inf.start();
    await create("before-drop", { drop: "clean" });
    await waitFor("before-drop", () => seen.includes("add before-drop"));
    assert.equal(client.sim.dropWatches(), 1);
    await waitFor("the informer to watch again", () => client.sim.counts().byRoute["watch pods"] === 2);
    await create("after-drop", { drop: "clean" });
    await waitFor("after-drop", () => seen.includes("add after-drop"));
    await inf.stop();
    assert.deepEqual(errors, []);
    assert.equal(client.sim.counts().byRoute["list pods"], 1);
  });

  it("makes an informer relist when its resource version has been compacted away, and it catches up", async () => {
    const { inf, seen, errors, names } = informer("relist=yes");
    client.sim.resetCounts();
    await inf.start();
    await create("kept", { relist: "yes" });
    await create("removed-while-away", { relist: "yes" });
    await waitFor("both pods", () => names().length === 2);
    // While the informer is away, pods change and the history is compacted.
    await inf.stop();
    await remove("removed-while-away");
    await create("added-while-away", { relist: "yes" });
    client.sim.compactHistory();
    await inf.start();
    await waitFor("the informer to catch up", () => names().join() === "added-while-away,kept" && seen.includes("delete removed-while-away"));
    await inf.stop();
    assert.deepEqual(errors, []);
    assert.equal(client.sim.counts().byRoute["list pods"], 2);
    assert.ok(seen.includes("add added-while-away"));
  });

  it("reports a reset watch connection to an informer as an error, and a restart recovers", async () => {
    const { inf, seen, errors } = informer("drop=abrupt");
    // Count and drop only this informer's watch: an earlier test's informer may still hold one open.
    await inf.start();
    await waitFor("the informer's watch", () => client.sim.openWatches("drop=abrupt") === 1);
    assert.equal(client.sim.dropWatches({ abrupt: true, labelSelector: "drop=abrupt" }), 1);
    await waitFor("the informer's error", () => errors.length > 0);
    // client-node's informer does not restart itself after an error: its owner must.
    await inf.start();
    await create("after-reset", { drop: "abrupt" });
    await waitFor("after-reset", () => seen.includes("add after-reset"));
    await inf.stop();
  });
});
