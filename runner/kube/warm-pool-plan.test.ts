import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_IDLE_TIMEOUT_MS, idlePodGoes, podsToStart, poolBounds, poolShape } from "./warm-pool-plan.ts";

test("tasks of one image and resources share a pool; another shape gets another", () => {
  assert.equal(poolShape({ image: "node:20-slim", resources: { cpu: 1, memory: "1Gi" } }).id, poolShape({ image: "node:20-slim", resources: { memory: "1Gi", cpu: 1 } }).id);
  assert.notEqual(poolShape({ image: "node:20-slim" }).id, poolShape({ image: "node:22-slim" }).id);
  assert.notEqual(poolShape({ resources: { cpu: 1 } }).id, poolShape({ resources: { cpu: 2 } }).id);
  assert.notEqual(poolShape({}, "fraud").id, poolShape({}, "ads").id, "projects never share a worker pod");
});

test("replicas: a number is fixed, a pair is a range, none is one pod", () => {
  assert.deepEqual(poolBounds({ replicas: 3 }), { min: 3, max: 3, idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS });
  assert.deepEqual(poolBounds({ replicas: [0, 4], idleTimeout: 500 }), { min: 0, max: 4, idleTimeoutMs: 500 });
  assert.deepEqual(poolBounds({}), { min: 1, max: 1, idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS });
  assert.deepEqual(poolBounds({ replicas: [0, 0] }), { min: 0, max: 1, idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS });
});

test("pods start for the queue up to the maximum, and at least the minimum", () => {
  const bounds = { min: 2, max: 5, idleTimeoutMs: 1000 };
  assert.equal(podsToStart({ queued: 1, starting: 0, idle: 0, busy: 0 }, bounds), 2);
  assert.equal(podsToStart({ queued: 100, starting: 0, idle: 0, busy: 0 }, bounds), 5);
  assert.equal(podsToStart({ queued: 3, starting: 2, idle: 0, busy: 1 }, bounds), 1);
  assert.equal(podsToStart({ queued: 1, starting: 1, idle: 0, busy: 4 }, bounds), 0);
  assert.equal(podsToStart({ queued: 0, starting: 0, idle: 1, busy: 0 }, { min: 0, max: 3, idleTimeoutMs: 0 }), 0);
});

test("an idle pod above the minimum goes after the timeout; the minimum goes once the pool has been idle that long", () => {
  const bounds = { min: 1, max: 3, idleTimeoutMs: 1000 };
  const two = { queued: 0, starting: 0, idle: 2, busy: 0 };
  assert.equal(idlePodGoes(1500, 1000, 1000, two, bounds), false);
  assert.equal(idlePodGoes(2000, 1000, 1900, two, bounds), true);
  const one = { queued: 0, starting: 0, idle: 1, busy: 0 };
  assert.equal(idlePodGoes(2000, 1000, 1900, one, bounds), false);
  assert.equal(idlePodGoes(3000, 1000, 1900, one, bounds), true);
  assert.equal(idlePodGoes(3000, 1000, 1900, { queued: 0, starting: 0, idle: 1, busy: 1 }, { ...bounds, min: 2 }), false);
});
