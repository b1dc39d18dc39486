import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Clock, RateLimiter, TokenBucket } from "./rate-limiter.ts";

/** A clock that moves only when told, firing the timers that come due. */
class ManualClock implements Clock {
  private time = 1_000_000;
  private timers: { at: number; callback: () => void }[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { at: this.time + ms, callback };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer !== handle);
  }

  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const next = this.timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.time = next.at;
      next.callback();
      await settle();
    }
    this.time = until;
    await settle();
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("token bucket", () => {
  it("gives a burst at once, then one token per 1/qps seconds", () => {
    const bucket = new TokenBucket({ qps: 10, burst: 3 }, 0);
    assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0)], [0, 0, 0]);
    assert.equal(bucket.take(0), 100, "the next token is 100 ms away");
    assert.equal(bucket.take(50), 50);
    assert.equal(bucket.take(100), 0);
    assert.equal(bucket.take(100), 100);
  });

  it("saves up no more than the burst", () => {
    const bucket = new TokenBucket({ qps: 1, burst: 2 }, 0);
    bucket.take(0);
    bucket.take(0);
    const later = 3_600_000;
    assert.deepEqual([bucket.take(later), bucket.take(later), bucket.take(later)], [0, 0, 1000]);
  });

  it("refuses a rate that is not positive", () => {
    assert.throws(() => new TokenBucket({ qps: 0, burst: 1 }, 0), /qps must be a number > 0/);
    assert.throws(() => new TokenBucket({ qps: 1, burst: 0.5 }, 0), /burst must be a whole number >= 1/);
  });
});

describe("rate limiter", () => {
  it("lets callers through in arrival order at the bucket's pace", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ qps: 10, burst: 2 }, clock);
    const through: number[] = [];
    for (let i = 0; i < 5; i++) void limiter.acquire().then(() => through.push(i));
    await settle();
    assert.deepEqual(through, [0, 1]);
    await clock.advance(99);
    assert.deepEqual(through, [0, 1]);
    await clock.advance(1);
    assert.deepEqual(through, [0, 1, 2]);
    await clock.advance(200);
    assert.deepEqual(through, [0, 1, 2, 3, 4]);
    assert.equal(limiter.waiting, 0);
  });

  it("holds every caller until a Retry-After has passed", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ qps: 100, burst: 10 }, clock);
    limiter.holdUntil(clock.now() + 2000);
    let through = 0;
    for (let i = 0; i < 3; i++) void limiter.acquire().then(() => through++);
    await clock.advance(1999);
    assert.equal(through, 0);
    await clock.advance(1);
    assert.equal(through, 3);
  });

  it("drops a waiter whose signal aborts, and serves the next", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ qps: 1, burst: 1 }, clock);
    await limiter.acquire();
    const cancel = new AbortController();
    const abandoned = limiter.acquire(cancel.signal);
    let second = false;
    void limiter.acquire().then(() => (second = true));
    cancel.abort(new Error("no longer needed"));
    await assert.rejects(abandoned, /no longer needed/);
    assert.equal(limiter.waiting, 1);
    await clock.advance(1000);
    assert.equal(second, true);
  });
});
