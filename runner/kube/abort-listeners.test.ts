import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import { anyAborted, onAbort } from "./abort-listeners.ts";

test("many waiters on one signal add one listener to it, and each hears the abort once", () => {
  const controller = new AbortController();
  const heard: number[] = [];
  const stops = Array.from({ length: 50 }, (_, i) => onAbort(controller.signal, () => heard.push(i)));
  assert.equal(getEventListeners(controller.signal, "abort").length, 1);
  stops[3]!();
  controller.abort();
  assert.deepEqual(heard, Array.from({ length: 50 }, (_, i) => i).filter((i) => i !== 3));
  controller.abort();
  assert.equal(heard.length, 49);
});

test("the same function may wait twice, and stopping one wait leaves the other", () => {
  const controller = new AbortController();
  let calls = 0;
  const listener = () => calls++;
  const first = onAbort(controller.signal, listener);
  onAbort(controller.signal, listener);
  first();
  controller.abort();
  assert.equal(calls, 1);
});

test("an aborted signal calls at once, and a signal aborted after every waiter left calls nobody", () => {
  const aborted = AbortSignal.abort();
  let calls = 0;
  onAbort(aborted, () => calls++);
  assert.equal(calls, 1);
  const controller = new AbortController();
  onAbort(controller.signal, () => calls++)();
  controller.abort();
  assert.equal(calls, 1);
});

test("anyAborted aborts with the reason of whichever signal aborts first, and stops listening when disposed", () => {
  const cancel = new AbortController();
  const detach = new AbortController();
  const either = anyAborted([cancel.signal, undefined, detach.signal]);
  detach.abort("detached");
  assert.equal(either.signal.reason, "detached");
  cancel.abort("cancelled");
  assert.equal(either.signal.reason, "detached");
  const later = new AbortController();
  const disposed = anyAborted([later.signal]);
  disposed.dispose();
  later.abort();
  assert.equal(disposed.signal.aborted, false);
  assert.equal(anyAborted([AbortSignal.abort("already")]).signal.reason, "already");
});
