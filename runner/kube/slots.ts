import { onAbort } from "./abort-listeners.ts";

/**
 * At most `size` holders at once, served in arrival order; a waiter whose
 * signal aborts leaves the line. The engine may hand the executor more jobs
 * than it has slots; the rest wait here, not as pods.
 */
export class Slots {
  private used = 0;
  private readonly line: { grant: () => void }[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`size must be a whole number >= 1, got ${size}`);
  }

  /** Resolves with the release once a slot is free; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          stopListening();
          this.used++;
          resolve(this.releaser());
        },
      };
      this.line.push(entry);
      const stopListening = signal
        ? onAbort(signal, () => {
            const at = this.line.indexOf(entry);
            if (at >= 0) this.line.splice(at, 1);
            reject(signal.reason);
          })
        : () => {};
      this.serve();
    });
  }

  get inUse(): number {
    return this.used;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
      this.serve();
    };
  }

  private serve(): void {
    while (this.used < this.size && this.line.length > 0) this.line.shift()!.grant();
  }
}
