/**
 * One attempt's pod as the shared watch reports it: settles `ended` once the
 * pod has ended (or cannot start, or is gone), and says when it first runs.
 */
import type { V1Pod } from "@kubernetes/client-node";
import { deletedPodEnd, type PodEnd, podProgress } from "./pod-outcome.ts";

export class TrackedPod {
  readonly ended: Promise<PodEnd>;
  private settle!: (end: PodEnd) => void;
  private latest: V1Pod | undefined;
  private settled = false;
  private running = false;
  private onRunning: (() => void) | undefined;
  private existsSince: number | undefined;

  constructor(readonly name: string) {
    this.ended = new Promise<PodEnd>((resolve) => (this.settle = resolve));
  }

  /** Calls `callback` once the pod runs (at once if it already does). */
  whenRunning(callback: () => void): void {
    this.onRunning = callback;
    if (this.running) callback();
  }

  update(pod: V1Pod): void {
    if (this.settled) return;
    this.latest = pod;
    const progress = podProgress(pod);
    if (progress.state === "running" && !this.running) {
      this.running = true;
      this.onRunning?.();
    } else if (progress.state === "ended") {
      this.end(progress.end);
    }
  }

  /**
   * A state read outside the watch (the create's answer, a read, the cache):
   * taken only while the watch has told nothing, since it may be older than
   * what the watch already said.
   */
  seed(pod: V1Pod): void {
    if (this.latest === undefined) this.update(pod);
  }

  /** The pod was deleted; `pod` is its last state as the deletion reported it. */
  deleted(pod: V1Pod | undefined): void {
    if (this.settled) return;
    this.end(deletedPodEnd(pod?.status ? pod : this.latest));
  }

  /** The pod is known to exist at `at`: a list asked later that lacks it means it is gone. */
  existsAt(at: number): void {
    this.existsSince ??= at;
  }

  /** A list asked at `listStartedAt` did not hold the pod. */
  absentFrom(listStartedAt: number): void {
    if (this.existsSince !== undefined && listStartedAt >= this.existsSince) this.deleted(undefined);
  }

  private end(end: PodEnd): void {
    this.settled = true;
    this.settle(end);
  }
}
