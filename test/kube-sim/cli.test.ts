// `npm run kube-sim -- --kubeconfig FILE` as a person starts it: it writes
// the kubeconfig once it listens, and client-node loaded from that file runs
// a pod on it.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { nodePod, waitFor } from "./test-support.ts";

const root = join(import.meta.dirname, "../..");

describe("npm run kube-sim", () => {
  let child: ChildProcess | undefined;
  after(() => {
    // The simulator runs under npm in its own process group: end that group.
    if (child?.pid === undefined || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch (error) {
      // The group may have ended between the exit and its event reaching us.
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  });

  it("writes a kubeconfig once ready, and serves client-node through it", async () => {
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "kube-sim-cli-")), "kubeconfig.yaml");
    child = spawn("npm", ["run", "--silent", "kube-sim", "--", "--kubeconfig", kubeconfig, "--pod-start-latency", "10"], {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(`the kubeconfig line (stderr: ${stderr})`, () => stdout.includes("kubeconfig written to"), 60_000);
    assert.match(stdout, new RegExp(`kubeconfig written to ${kubeconfig}`));
    assert.equal(statSync(kubeconfig).mode & 0o777, 0o600);

    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    assert.equal(kc.getCurrentContext(), "kube-sim");
    assert.match(kc.getCurrentCluster()!.server, /^http:\/\/127\.0\.0\.1:\d+$/);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedPod({ namespace: "default", body: nodePod("by-hand", "console.log('hi')") });
    await waitFor("by-hand to succeed", async () => (await core.readNamespacedPod({ namespace: "default", name: "by-hand" })).status?.phase === "Succeeded");
    const counts = (await (await fetch(`${kc.getCurrentCluster()!.server}/sim/counts`)).json()) as { byRoute: Record<string, number> };
    assert.equal(counts.byRoute["create pods"], 1);

    const exited = new Promise((resolve) => child!.once("exit", resolve));
    process.kill(-child.pid!, "SIGTERM");
    await exited;
  });

  it("says what is missing when --kubeconfig is not given", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "test/kube-sim/main.ts", "--port", "0"], { cwd: root, encoding: "utf8" });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--kubeconfig FILE is required/);
  });
});
