// What the simulator's tests share: a simulator with a real client-node
// configuration pointing at it, pods that run `node -e`, and waiting for a
// condition with a generous limit (never a timing assertion).
import * as k8s from "@kubernetes/client-node";
import { type KubeSimulatorOptions, KubeSimulator } from "./simulator.ts";

export interface SimulatorClient {
  sim: KubeSimulator;
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
}

export async function startSimulator(options: KubeSimulatorOptions = {}): Promise<SimulatorClient> {
  const sim = await KubeSimulator.start(options);
  const kc = new k8s.KubeConfig();
  kc.loadFromString(sim.kubeconfig());
  return { sim, kc, core: kc.makeApiClient(k8s.CoreV1Api) };
}

export function nodePod(
  name: string,
  script: string,
  options: { labels?: Record<string, string>; env?: k8s.V1EnvVar[]; args?: string[]; workingDir?: string; grace?: number } = {},
): k8s.V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, ...(options.labels ? { labels: options.labels } : {}) },
    spec: {
      restartPolicy: "Never",
      ...(options.grace !== undefined ? { terminationGracePeriodSeconds: options.grace } : {}),
      containers: [
        {
          name: "task",
          image: "node:20",
          command: ["node", "-e", script],
          ...(options.args ? { args: options.args } : {}),
          ...(options.env ? { env: options.env } : {}),
          ...(options.workingDir ? { workingDir: options.workingDir } : {}),
        },
      ],
    },
  };
}

/** Waits until `check` returns a value other than undefined/false; fails after `limitMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface PodEvent {
  type: string;
  phase: string | undefined;
  pod: k8s.V1Pod;
}

/** A real client-node Watch on a namespace's pods, recording every event. */
export async function watchPods(kc: k8s.KubeConfig, namespace: string, query: Record<string, string> = {}) {
  const events: PodEvent[] = [];
  let ended: unknown = undefined;
  let done = false;
  const request = await new k8s.Watch(kc).watch(
    `/api/v1/namespaces/${namespace}/pods`,
    query,
    (type, object: k8s.V1Pod) => events.push({ type, phase: object.status?.phase, pod: object }),
    (error) => {
      done = true;
      ended = error;
    },
  );
  return {
    events,
    get done() {
      return done;
    },
    get error() {
      return ended;
    },
    of: (name: string) => events.filter((event) => event.pod.metadata?.name === name),
    stop: () => request.abort(),
  };
}

/** The pod's phases in the order the watch saw them, repeats folded. */
export function phases(events: PodEvent[]): string[] {
  const seen: string[] = [];
  for (const event of events) {
    const label = event.type === "DELETED" ? "DELETED" : String(event.phase);
    if (seen[seen.length - 1] !== label) seen.push(label);
  }
  return seen;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
