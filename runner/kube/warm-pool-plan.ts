/**
 * The decisions of a warm pod pool as pure functions: which pool a task's
 * attempts go to, the pool's bounds, how many pods to start for the demand,
 * and when an idle pod goes.
 */
import type { Resources, ReuseOptions } from "../../sdk/types.ts";
import { shortHash } from "./pod-names.ts";

/** How long a worker pod may sit idle before it goes, when the task does not say. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

export interface PoolShape {
  /** Names the pool (in pod names and labels): a hash of image and resources. */
  id: string;
  image: string | undefined;
  resources: Resources | undefined;
}

export interface PoolBounds {
  min: number;
  max: number;
  idleTimeoutMs: number;
}

/**
 * Tasks of the same tenant (a project), image and resources share a pool: a
 * worker pod fits any of them, and never runs another project's code.
 */
export function poolShape(task: { image?: string; resources?: Resources }, tenant = ""): PoolShape {
  const resources = task.resources;
  const shape = JSON.stringify([tenant, task.image ?? "", resources?.cpu ?? null, resources?.memory ?? null, resources?.gpu ?? null]);
  return { id: shortHash(shape), image: task.image, resources };
}

/**
 * `replicas: n` is n pods while there is work; `[min, max]` keeps min pods
 * while there is work and grows to max with the queue; left out, one pod.
 * The compiler has validated the values; a max below min is read as min.
 */
export function poolBounds(reuse: ReuseOptions): PoolBounds {
  const replicas = reuse.replicas ?? 1;
  const [min, max] = typeof replicas === "number" ? [replicas, replicas] : replicas;
  const least = Math.max(0, Math.floor(min));
  return { min: least, max: Math.max(1, least, Math.floor(max)), idleTimeoutMs: reuse.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_MS };
}

export interface PoolLoad {
  /** Attempts waiting for a worker. */
  queued: number;
  /** Pods created that have not connected yet. */
  starting: number;
  idle: number;
  busy: number;
}

/**
 * Pods to create now: enough for the queue (and at least the minimum),
 * never beyond the maximum. Only a queue starts pods, so a pool whose pods
 * cannot start stops trying once its queue is failed.
 */
export function podsToStart(load: PoolLoad, bounds: PoolBounds): number {
  if (load.queued === 0) return 0;
  const total = load.starting + load.idle + load.busy;
  const wanted = Math.max(bounds.min, load.busy + load.queued);
  return Math.max(0, Math.min(bounds.max, wanted) - total);
}

/**
 * Whether a pod idle since `idleSince` goes now: once idle for the timeout,
 * a pod above the minimum goes; the minimum goes too once the whole pool
 * has had nothing to run for the timeout.
 */
export function idlePodGoes(now: number, idleSince: number, lastDispatchAt: number, load: PoolLoad, bounds: PoolBounds): boolean {
  if (now - idleSince < bounds.idleTimeoutMs) return false;
  const total = load.starting + load.idle + load.busy;
  if (total > bounds.min) return true;
  return load.busy === 0 && load.queued === 0 && now - lastDispatchAt >= bounds.idleTimeoutMs;
}
