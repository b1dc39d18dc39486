import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Slots } from "./slots.ts";

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("slots", () => {
  it("lets `size` holders in at once and the rest in arrival order", async () => {
    const slots = new Slots(2);
    const order: number[] = [];
    const releases: (() => void)[] = [];
    for (let i = 0; i < 4; i++) {
      void slots.acquire().then((release) => {
        order.push(i);
        releases.push(release);
      });
    }
    await settle();
    assert.deepEqual([order, slots.inUse], [[0, 1], 2]);
    releases[1]!();
    releases[1]!(); // a second release of the same slot frees nothing more
    await settle();
    assert.deepEqual([order, slots.inUse], [[0, 1, 2], 2]);
  });

  it("drops a waiter whose signal aborts", async () => {
    const slots = new Slots(1);
    const release = await slots.acquire();
    const cancel = new AbortController();
    const waiting = slots.acquire(cancel.signal);
    cancel.abort(new Error("cancelled while queued"));
    await assert.rejects(waiting, /cancelled while queued/);
    release();
    assert.equal(slots.inUse, 0);
    await assert.rejects(slots.acquire(cancel.signal), /cancelled while queued/);
  });

  it("refuses a size that is not a whole number >= 1", () => {
    assert.throws(() => new Slots(0), /size must be a whole number >= 1, got 0/);
  });
});
