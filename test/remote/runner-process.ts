/**
 * `aloft runner start` in a child process, as a user starts it: its own
 * workspace, a free port, the admin token from `.aloft/runner-token`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as k8s from "@kubernetes/client-node";
import { KubeSimulator } from "../kube-sim/simulator.ts";
import { waitFor } from "../kube-sim/test-support.ts";

export const repo = resolve(import.meta.dirname, "../..");
export const cli = join(repo, "dist/cli.js");

export interface RunnerProcess {
  child: ChildProcess;
  url: string;
  token: string;
  workspace: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startRunner(options: { workspace?: string; args?: string[]; port?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunnerProcess> {
  const workspace = options.workspace ?? mkdtempSync(join(tmpdir(), "aloft-runner-"));
  const child = spawn(process.execPath, [cli, "runner", "start", "--port", String(options.port ?? 0), ...(options.args ?? [])], {
    cwd: workspace,
    env: { ...process.env, ALOFT_WORKSPACE: workspace, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runner did not start within 30 s:\n${output}`)), 30_000);
    const look = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match[1]!);
      }
    };
    child.stdout!.on("data", look);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the runner exited with ${code} before listening:\n${output}`));
    });
  });
  const token = readFileSync(join(workspace, ".aloft/runner-token"), "utf8").trim();
  return {
    child,
    url,
    token,
    workspace,
    output: () => output,
    stop: (signal = "SIGTERM") =>
      new Promise((resolveStop) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveStop(child.exitCode);
        child.once("exit", (code) => resolveStop(code));
        child.kill(signal);
      }),
  };
}

/**
 * The CLI in a child process, without blocking this one: tests that serve
 * something in-process (the Kubernetes simulator) must keep their event loop free.
 */
export function aloftAsync(workspace: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: repo, env: { ...process.env, ALOFT_WORKSPACE: workspace, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
  });
}

export interface SimulatedCluster {
  sim: KubeSimulator;
  runner: RunnerProcess;
  /** A client's own workspace; the kubeconfig is in it. */
  client: string;
  stop(): Promise<void>;
}

/** The Kubernetes API simulator in this process, and a runner process whose tasks are its pods. */
export async function startRunnerOnSimulator(options: { podStartLatencyMs: number; args?: string[] }): Promise<SimulatedCluster> {
  const client = mkdtempSync(join(tmpdir(), "aloft-client-"));
  const sim = await KubeSimulator.start({ podStartLatencyMs: options.podStartLatencyMs });
  const kubeconfig = join(client, "kubeconfig");
  sim.writeKubeconfig(kubeconfig);
  const runner = await startRunner({ args: ["--kubeconfig", kubeconfig, ...(options.args ?? [])] });
  return {
    sim,
    runner,
    client,
    stop: async () => {
      await runner.stop();
      await sim.stop();
    },
  };
}

/**
 * The environment of the first pod created for `nodeId` (its attempt token
 * among it), as anyone who can read pods sees it, once that pod exists.
 */
export async function attemptPodEnv(sim: KubeSimulator, nodeId: string, timeoutMs = 30_000): Promise<Record<string, string>> {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(sim.kubeconfig());
  const core = kc.makeApiClient(k8s.CoreV1Api);
  for (const deadline = Date.now() + timeoutMs; ; await sleep(100)) {
    const pods = await core.listNamespacedPod({ namespace: "default" });
    const pod = pods.items.find((p) => p.metadata?.annotations?.["aloft.dev/node-id"] === nodeId);
    const env = Object.fromEntries((pod?.spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value ?? ""]));
    if (env.ALOFT_ATTEMPT_TOKEN) return env;
    if (Date.now() > deadline) throw new Error(`no pod of node "${nodeId}" appeared within ${timeoutMs} ms`);
  }
}

/** The items `startStallMap` maps over: each ends as x + 1. */
export const STALL_MAP_ITEMS = [1, 2, 3, 4, 5, 6];

/**
 * Submits test/fixtures/remote/warm.ts's stallMap to `runner`, detached, and
 * waits until its third item stalls on a warm worker pod: resolves with the
 * execution and that pod's name.
 */
export async function startStallMap(client: string, runner: RunnerProcess): Promise<{ executionId: string; stalledOn: string }> {
  const marker = join(mkdtempSync(join(tmpdir(), "aloft-stall-")), "stalled-on");
  const fixture = join(repo, "test/fixtures/remote/warm.ts");
  const args = ["run", "--remote", "--detach", "--json", "--runner", runner.url, "--token", runner.token, fixture, "stallMap", "--xs", JSON.stringify(STALL_MAP_ITEMS), "--marker", marker];
  const submitted = await aloftAsync(client, args);
  if (submitted.code !== 0) throw new Error(`stallMap was not submitted (exit code ${submitted.code}):\n${submitted.stderr}`);
  const { executionId } = JSON.parse(submitted.stdout) as { executionId: string };
  const stalledOn = await waitFor("the stalling task to start on a worker pod", () => existsSync(marker) && readFileSync(marker, "utf8"), 30_000);
  return { executionId, stalledOn };
}
