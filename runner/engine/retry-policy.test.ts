import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ErrorInfo } from "../../compiler/errors.ts";
import { backoffDelay, failureHistory, parseDuration, shouldRetry, SYSTEM_RETRIES } from "./retry-policy.ts";

const userError: ErrorInfo = { code: "TASK_FAILED", kind: "user", message: "boom" };
const crash: ErrorInfo = { code: "WORKER_CRASHED", kind: "system", message: "exit 1" };

describe("retry policy", () => {
  it("gives a task 1 + retries attempts for its own failures", () => {
    assert.equal(shouldRetry(userError, { userFailures: 1, systemFailures: 0 }, 2), true);
    assert.equal(shouldRetry(userError, { userFailures: 2, systemFailures: 0 }, 2), true);
    assert.equal(shouldRetry(userError, { userFailures: 3, systemFailures: 0 }, 2), false);
    assert.equal(shouldRetry(userError, { userFailures: 1, systemFailures: 0 }, 0), false);
  });

  it("retries machine failures on their own budget, whatever the task's retries", () => {
    assert.equal(shouldRetry(crash, { userFailures: 0, systemFailures: SYSTEM_RETRIES }, 0), true);
    assert.equal(shouldRetry(crash, { userFailures: 0, systemFailures: SYSTEM_RETRIES + 1 }, 0), false);
  });

  it("never retries failures that would come out the same", () => {
    assert.equal(shouldRetry({ ...userError, code: "DATA_INVALID" }, { userFailures: 1, systemFailures: 0 }, 5), false);
  });

  it("counts failed attempts by whose fault they were", () => {
    assert.deepEqual(
      failureHistory([
        { status: "failed", error: userError },
        { status: "failed", error: crash },
        { status: "failed", error: { ...userError, kind: "timeout" } },
        { status: "succeeded" },
      ]),
      { userFailures: 2, systemFailures: 1 },
    );
  });

  it("backs off exponentially with full jitter, capped", () => {
    const options = { baseMs: 100, maxMs: 1000 };
    assert.equal(backoffDelay(1, options, () => 1), 100);
    assert.equal(backoffDelay(3, options, () => 1), 400);
    assert.equal(backoffDelay(10, options, () => 1), 1000);
    assert.equal(backoffDelay(3, options, () => 0), 0);
    assert.equal(backoffDelay(3, options, () => 0.5), 200);
  });

  it("parses timeouts as milliseconds or durations", () => {
    assert.equal(parseDuration(1500), 1500);
    assert.equal(parseDuration("30s"), 30_000);
    assert.equal(parseDuration("5m"), 300_000);
    assert.equal(parseDuration("250ms"), 250);
    assert.equal(parseDuration(undefined), undefined);
    assert.throws(() => parseDuration("soon"), /not a duration/);
  });
});
