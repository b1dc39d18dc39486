// Pod logs through client-node: following a running pod's output with `Log`
// (which always sends follow, pretty, previous and timestamps), and reading
// a finished pod's log with options.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { nodePod, type SimulatorClient, startSimulator, waitFor } from "./test-support.ts";

const namespace = "log-test";

describe("kube-sim pod logs", () => {
  let client: SimulatorClient;
  let dir: string;
  before(async () => {
    client = await startSimulator();
    dir = mkdtempSync(join(tmpdir(), "kube-sim-log-"));
    await client.core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  after(() => client.sim.stop());

  const running = (name: string) => async () =>
    (await client.core.readNamespacedPod({ namespace, name })).status?.phase === "Running";
  const ended = (name: string) => async () => {
    const phase = (await client.core.readNamespacedPod({ namespace, name })).status?.phase;
    return phase === "Succeeded" || phase === "Failed";
  };

  it("follows a running pod's output as it is written, and ends when the pod does", async () => {
    const go = join(dir, "go");
    // The pod writes its second line only once the test has seen the first.
    const script = `
      const { existsSync } = require("node:fs");
      console.log("line 1");
      console.error("warning on stderr");
      const wait = setInterval(() => {
        if (existsSync(process.env.GO)) { clearInterval(wait); console.log("line 2"); }
      }, 20);`;
    await client.core.createNamespacedPod({ namespace, body: nodePod("talker", script, { env: [{ name: "GO", value: go }] }) });
    await waitFor("talker to run", running("talker"));

    const output = new PassThrough();
    let text = "";
    let finished = false;
    output.on("data", (chunk: Buffer) => (text += chunk.toString()));
    output.on("end", () => (finished = true));
    await new k8s.Log(client.kc).log(namespace, "talker", "task", output, { follow: true });

    await waitFor("the first lines", () => text.includes("line 1\n") && text.includes("warning on stderr\n"));
    assert.equal(finished, false);
    assert.equal(text.includes("line 2"), false);
    assert.equal(existsSync(go), false);
    writeFileSync(go, "");
    await waitFor("the followed log to end", () => finished);
    assert.equal(text, "line 1\nwarning on stderr\nline 2\n");
    assert.deepEqual(client.sim.counts().byRoute["get pods/log"], 1);
  });

  it("reads a finished pod's log with timestamps, tailLines and limitBytes", async () => {
    await client.core.createNamespacedPod({
      namespace,
      body: nodePod("counter", "for (let i = 1; i <= 5; i++) console.log('n' + i); process.stdout.write('partial')"),
    });
    await waitFor("counter to end", ended("counter"));
    const read = (options: Partial<k8s.CoreV1ApiReadNamespacedPodLogRequest>) =>
      client.core.readNamespacedPodLog({ namespace, name: "counter", ...options });
    assert.equal(await read({}), "n1\nn2\nn3\nn4\nn5\npartial");
    assert.equal(await read({ tailLines: 2 }), "n5\npartial");
    assert.equal(await read({ limitBytes: 5 }), "n1\nn2");
    const stamped = (await read({ timestamps: true })).split("\n");
    assert.equal(stamped.length, 6);
    for (const line of stamped) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (n\d|partial)$/);
    // A follow of a pod that has ended returns what there is and ends.
    const output = new PassThrough();
    let text = "";
    output.on("data", (chunk: Buffer) => (text += chunk.toString()));
    const ended_ = new Promise((resolve) => output.on("end", resolve));
    await new k8s.Log(client.kc).log(namespace, "counter", "task", output, { follow: true, tailLines: 1 });
    await ended_;
    assert.equal(text, "partial");
  });

  it("refuses a previous container's log and an unknown container, as the API server does", async () => {
    await client.core.createNamespacedPod({ namespace, body: nodePod("once", "console.log('only run')") });
    await waitFor("once to end", ended("once"));
    await assert.rejects(
      client.core.readNamespacedPodLog({ namespace, name: "once", previous: true }),
      (error: k8s.ApiException<string>) => error.code === 400 && /previous terminated container/.test(String(error.body)),
    );
    await assert.rejects(
      client.core.readNamespacedPodLog({ namespace, name: "once", container: "sidecar" }),
      (error: k8s.ApiException<string>) => error.code === 400,
    );
    await assert.rejects(
      new k8s.Log(client.kc).log(namespace, "absent", "task", new PassThrough(), { follow: true }),
      (error: k8s.ApiException<unknown>) => error.code === 404,
    );
  });
});
