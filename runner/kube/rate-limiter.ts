/**
 * The client-side rate limit every Kubernetes API call goes through: a token
 * bucket (`qps` tokens a second, at most `burst` saved up), served in arrival
 * order. A 429's Retry-After holds every caller, not only the one that got
 * it: the API server is telling the whole client to slow down.
 */
import { onAbort } from "./abort-listeners.ts";

export interface RateLimit {
  /** Requests a second, sustained. */
  qps: number;
  /** Requests that may go at once after a quiet spell. */
  burst: number;
}

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function checkRateLimit(limit: RateLimit): RateLimit {
  if (!(Number.isFinite(limit.qps) && limit.qps > 0)) throw new Error(`qps must be a number > 0, got ${limit.qps}`);
  if (!(Number.isInteger(limit.burst) && limit.burst >= 1)) throw new Error(`burst must be a whole number >= 1, got ${limit.burst}`);
  return limit;
}

/** The bucket itself, a pure function of the times it is asked at. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    checkRateLimit(limit);
    this.tokens = limit.burst;
    this.last = now;
  }

  /** Takes a token and returns 0, or takes nothing and returns the milliseconds until one is there. */
  take(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.limit.qps) * 1000));
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.qps);
      this.last = now;
    }
  }
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Stops waiting for the caller's signal (see abort-listeners.ts). */
  stopListening?: () => void;
}

export class RateLimiter {
  private readonly bucket: TokenBucket;
  private readonly waiters: Waiter[] = [];
  private heldUntil = 0;
  private timer: unknown;

  constructor(
    limit: RateLimit,
    private readonly clock: Clock = systemClock,
  ) {
    this.bucket = new TokenBucket(limit, clock.now());
  }

  /** Resolves when the caller may send one request; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      if (signal) {
        waiter.stopListening = onAbort(signal, () => {
          const at = this.waiters.indexOf(waiter);
          if (at >= 0) this.waiters.splice(at, 1);
          reject(signal.reason);
        });
      }
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** No request leaves before `until` (ms since the epoch, as the clock counts). */
  holdUntil(until: number): void {
    if (until <= this.heldUntil) return;
    this.heldUntil = until;
    this.reschedule();
  }

  /** Callers waiting for a token. */
  get waiting(): number {
    return this.waiters.length;
  }

  private pump(): void {
    if (this.timer !== undefined) return;
    while (this.waiters.length > 0) {
      const now = this.clock.now();
      const wait = this.heldUntil > now ? this.heldUntil - now : this.bucket.take(now);
      if (wait > 0) {
        this.timer = this.clock.setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      const waiter = this.waiters.shift()!;
      waiter.stopListening?.();
      waiter.resolve();
    }
  }

  private reschedule(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.pump();
  }
}
