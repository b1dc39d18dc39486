// Namespaces and pods through the real @kubernetes/client-node: pods run as
// local processes and go Pending → Running → Succeeded/Failed, and deleting
// a pod kills its process.
import assert from "node:assert/strict";
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ApiException, type V1Pod } from "@kubernetes/client-node";
import { isAlive, nodePod, phases, type SimulatorClient, startSimulator, waitFor, watchPods } from "./test-support.ts";

const namespace = "pods-test";

describe("kube-sim pods", () => {
  let client: SimulatorClient;
  before(async () => {
    client = await startSimulator();
    await client.core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  after(() => client.sim.stop());

  const readPod = (name: string) => client.core.readNamespacedPod({ namespace, name });
  const terminated = (pod: V1Pod) => pod.status?.containerStatuses?.[0]?.state?.terminated;
  const ended = (name: string) => async () => {
    const pod = await readPod(name);
    return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed" ? pod : undefined;
  };

  it("gets, lists and creates namespaces", async () => {
    const created = await client.core.readNamespace({ name: namespace });
    assert.equal(created.status?.phase, "Active");
    const names = (await client.core.listNamespace()).items.map((ns) => ns.metadata?.name);
    assert.deepEqual(names.sort(), ["default", "kube-system", namespace].sort());
    await assert.rejects(client.core.createNamespace({ body: { metadata: { name: namespace } } }), (error: ApiException<string>) => {
      assert.equal(error.code, 409);
      return true;
    });
    await assert.rejects(client.core.readNamespace({ name: "absent" }), (error: ApiException<string>) => error.code === 404);
  });

  it("runs a pod Pending → Running → Succeeded, seen by a watch", async () => {
    const watch = await watchPods(client.kc, namespace, { fieldSelector: "metadata.name=hello" });
    const created = await client.core.createNamespacedPod({ namespace, body: nodePod("hello", "console.log('hello from the pod')") });
    assert.equal(created.status?.phase, "Pending");
    assert.ok(created.metadata?.uid);
    const pod = await waitFor("hello to end", ended("hello"));
    await waitFor("the watch to see Succeeded", () => watch.events.some((e) => e.phase === "Succeeded"));
    watch.stop();
    assert.deepEqual(phases(watch.events), ["Pending", "Running", "Succeeded"]);
    assert.equal(watch.events[0]!.type, "ADDED");
    assert.ok(watch.events.slice(1).every((event) => event.type === "MODIFIED"));
    const running = watch.events.find((e) => e.phase === "Running")!.pod;
    assert.equal(running.status?.containerStatuses?.[0]?.ready, true);
    // A Watch hands over the objects as parsed JSON, not client-node's models: times stay strings.
    assert.match(String(running.status?.containerStatuses?.[0]?.state?.running?.startedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(pod.spec?.nodeName, "kube-sim-node");
    assert.deepEqual(
      { exitCode: terminated(pod)?.exitCode, reason: terminated(pod)?.reason },
      { exitCode: 0, reason: "Completed" },
    );
    const log = await client.core.readNamespacedPodLog({ namespace, name: "hello" });
    assert.equal(log, "hello from the pod\n");
  });

  it("reports a non-zero exit as Failed with the exit code", async () => {
    await client.core.createNamespacedPod({ namespace, body: nodePod("exits-3", "console.error('bad input'); process.exit(3)") });
    const pod = await waitFor("exits-3 to end", ended("exits-3"));
    assert.equal(pod.status?.phase, "Failed");
    assert.deepEqual({ exitCode: terminated(pod)?.exitCode, reason: terminated(pod)?.reason }, { exitCode: 3, reason: "Error" });
    assert.equal(await client.core.readNamespacedPodLog({ namespace, name: "exits-3" }), "bad input\n");
  });

  it("runs the command with the container's args, env and working dir", async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "kube-sim-wd-")));
    const script = "console.log(JSON.stringify({ argv: process.argv.slice(1), task: process.env.TASK, pod: process.env.POD, cwd: process.cwd(), leaked: process.env.ALOFT_SIM_LEAK_CHECK ?? null }))";
    // The simulator's own environment is not the container's.
    process.env.ALOFT_SIM_LEAK_CHECK = "leaked";
    await client.core.createNamespacedPod({
      namespace,
      body: nodePod("with-env", script, {
        args: ["task=$(TASK)", "$$(TASK)", "$(UNDEFINED)"],
        env: [
          { name: "TASK", value: "train" },
          { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        ],
        workingDir: dir,
      }),
    });
    await waitFor("with-env to end", ended("with-env"));
    const printed = JSON.parse(await client.core.readNamespacedPodLog({ namespace, name: "with-env" }));
    assert.deepEqual(printed, { argv: ["task=train", "$(TASK)", "$(UNDEFINED)"], task: "train", pod: "with-env", cwd: dir, leaked: null });
  });

  it("ends the pod when its main process exits, killing what it left running", async () => {
    const script = `
      const child = require("node:child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "inherit" });
      child.unref();
      console.log(child.pid);`;
    await client.core.createNamespacedPod({ namespace, body: nodePod("leaves-a-child", script) });
    const pod = await waitFor("leaves-a-child to end", ended("leaves-a-child"));
    assert.equal(pod.status?.phase, "Succeeded");
    const childPid = Number((await client.core.readNamespacedPodLog({ namespace, name: "leaves-a-child" })).trim());
    await waitFor("the left-over child to be gone", () => !isAlive(childPid));
  });

  it("fails a pod whose command cannot be started, with StartError", async () => {
    const body = nodePod("no-such-program", "");
    body.spec!.containers[0]!.command = ["aloft-no-such-program-here"];
    await client.core.createNamespacedPod({ namespace, body });
    const pod = await waitFor("no-such-program to end", ended("no-such-program"));
    assert.equal(pod.status?.phase, "Failed");
    assert.equal(terminated(pod)?.reason, "StartError");
    assert.match(terminated(pod)?.message ?? "", /executable file not found in \$PATH/);
  });

  it("refuses what it cannot run, naming the field", async () => {
    const always = nodePod("always", "");
    delete always.spec!.restartPolicy;
    await assert.rejects(client.core.createNamespacedPod({ namespace, body: always }), (error: ApiException<string>) => {
      assert.equal(error.code, 422);
      assert.match(String(error.body), /spec\.restartPolicy/);
      return true;
    });
    const noCommand = nodePod("no-command", "");
    delete noCommand.spec!.containers[0]!.command;
    await assert.rejects(client.core.createNamespacedPod({ namespace, body: noCommand }), (error: ApiException<string>) => {
      assert.equal(error.code, 422);
      assert.match(String(error.body), /spec\.containers\[0\]\.command/);
      return true;
    });
    await assert.rejects(
      client.core.createNamespacedPod({ namespace: "absent", body: nodePod("x", "") }),
      (error: ApiException<string>) => error.code === 404,
    );
  });

  it("gets, lists by label, and answers 404 and 409", async () => {
    await client.core.createNamespacedPod({ namespace, body: nodePod("labelled-a", "", { labels: { app: "aloft", attempt: "1" } }) });
    await client.core.createNamespacedPod({ namespace, body: nodePod("labelled-b", "", { labels: { app: "aloft", attempt: "2" } }) });
    const names = async (labelSelector: string) =>
      (await client.core.listNamespacedPod({ namespace, labelSelector })).items.map((p) => p.metadata?.name).sort();
    assert.deepEqual(await names("app=aloft"), ["labelled-a", "labelled-b"]);
    assert.deepEqual(await names("app=aloft,attempt!=1"), ["labelled-b"]);
    assert.deepEqual(await names("attempt in (1,3)"), ["labelled-a"]);
    assert.deepEqual(await names("!attempt,app"), []);
    const list = await client.core.listNamespacedPod({ namespace });
    assert.ok(Number(list.metadata?.resourceVersion) > 0);
    const all = await client.core.listPodForAllNamespaces({ labelSelector: "app=aloft" });
    assert.equal(all.items.length, 2);
    assert.equal((await readPod("labelled-a")).metadata?.labels?.attempt, "1");
    await assert.rejects(readPod("absent"), (error: ApiException<string>) => error.code === 404);
    await assert.rejects(
      client.core.createNamespacedPod({ namespace, body: nodePod("labelled-a", "") }),
      (error: ApiException<string>) => error.code === 409,
    );
    await assert.rejects(
      client.core.listNamespacedPod({ namespace, labelSelector: "app in (a" }),
      (error: ApiException<string>) => error.code === 400,
    );
  });

  it("keeps a pod Pending for the start latency, and deletes it without running it", async () => {
    client.sim.setPodStartLatency(60_000);
    try {
      await client.core.createNamespacedPod({ namespace, body: nodePod("slow-start", "console.log('ran')") });
      const pod = await waitFor("slow-start to be scheduled", async () => {
        const p = await readPod("slow-start");
        return p.spec?.nodeName ? p : undefined;
      });
      assert.equal(pod.status?.phase, "Pending");
      assert.equal(pod.status?.containerStatuses?.[0]?.state?.waiting?.reason, "ContainerCreating");
      await assert.rejects(client.core.readNamespacedPodLog({ namespace, name: "slow-start" }), (error: ApiException<string>) => {
        assert.equal(error.code, 400);
        assert.match(String(error.body), /waiting to start/);
        return true;
      });
      await client.core.deleteNamespacedPod({ namespace, name: "slow-start" });
      await assert.rejects(readPod("slow-start"), (error: ApiException<string>) => error.code === 404);
    } finally {
      client.sim.setPodStartLatency(0);
    }
  });

  it("kills the process on delete: SIGTERM, and the pod goes once the process is gone", async () => {
    const watch = await watchPods(client.kc, namespace, { fieldSelector: "metadata.name=sleeper" });
    await client.core.createNamespacedPod({
      namespace,
      body: nodePod("sleeper", "console.log(process.pid); setInterval(() => {}, 1000)"),
    });
    const pid = Number(
      await waitFor("sleeper's pid in its log", async () => {
        const pod = await readPod("sleeper");
        if (pod.status?.phase !== "Running") return undefined;
        const log = await client.core.readNamespacedPodLog({ namespace, name: "sleeper" });
        return log.endsWith("\n") ? log.trim() : undefined;
      }),
    );
    assert.ok(isAlive(pid));
    const deleting = await client.core.deleteNamespacedPod({ namespace, name: "sleeper" });
    assert.ok(deleting.metadata?.deletionTimestamp);
    await waitFor("the watch to see sleeper deleted", () => watch.events.some((e) => e.type === "DELETED"));
    watch.stop();
    assert.equal(isAlive(pid), false);
    const last = watch.events[watch.events.length - 1]!;
    assert.equal(last.type, "DELETED");
    assert.equal(terminated(last.pod)?.exitCode, 143);
    assert.ok(watch.events.some((e) => e.type === "MODIFIED" && e.pod.metadata?.deletionTimestamp && e.phase === "Running"));
    await assert.rejects(readPod("sleeper"), (error: ApiException<string>) => error.code === 404);
  });

  it("kills a process that ignores SIGTERM with SIGKILL after the grace period", async () => {
    const script = "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log(process.pid); setInterval(() => {}, 1000)";
    await client.core.createNamespacedPod({ namespace, body: nodePod("stubborn", script, { grace: 1 }) });
    const pid = Number(
      await waitFor("stubborn's pid in its log", async () => {
        const pod = await readPod("stubborn");
        if (pod.status?.phase !== "Running") return undefined;
        const log = await client.core.readNamespacedPodLog({ namespace, name: "stubborn" });
        return log.endsWith("\n") ? log.trim() : undefined;
      }),
    );
    const watch = await watchPods(client.kc, namespace, { fieldSelector: "metadata.name=stubborn" });
    await client.core.deleteNamespacedPod({ namespace, name: "stubborn" });
    await waitFor("stubborn to be deleted", () => watch.events.find((e) => e.type === "DELETED"));
    watch.stop();
    assert.equal(isAlive(pid), false);
    const last = watch.events[watch.events.length - 1]!;
    assert.equal(terminated(last.pod)?.exitCode, 137);
  });
});
