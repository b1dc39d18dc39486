/**
 * What ends an attempt before its pod does: its timeout or its caller's
 * cancellation. `signal` aborts API calls under way; `stopped` settles with
 * why.
 */
export type StopReason = "timeout" | "cancelled";

import { onAbort } from "./abort-listeners.ts";

/** Node fires a timer longer than 2^31-1 ms (about 24.8 days) at once; such a timeout never matters. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class AttemptStop {
  readonly signal: AbortSignal;
  readonly stopped: Promise<StopReason>;
  private readonly controller = new AbortController();
  private reasonGiven: StopReason | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly detach: () => void;
  private settle!: (reason: StopReason) => void;

  constructor(options: { timeoutMs?: number; signal?: AbortSignal }) {
    this.signal = this.controller.signal;
    this.stopped = new Promise<StopReason>((resolve) => (this.settle = resolve));
    const { timeoutMs, signal } = options;
    if (timeoutMs !== undefined && timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS) {
      this.timer = setTimeout(() => this.stop("timeout"), timeoutMs);
    }
    this.detach = signal ? onAbort(signal, () => this.stop("cancelled")) : () => {};
  }

  /** Why the attempt was stopped, once it was. */
  get reason(): StopReason | undefined {
    return this.reasonGiven;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.detach();
  }

  private stop(reason: StopReason): void {
    if (this.reasonGiven) return;
    this.reasonGiven = reason;
    this.dispose();
    this.controller.abort(new Error(reason === "timeout" ? "the attempt timed out" : "the attempt was cancelled"));
    this.settle(reason);
  }
}
