// The retry policy as a pure function, and the retry loop.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ApiFailure } from "./api-failure.ts";
import { isRetryable, KubeApiError, retryDelay, type RetryPolicy, withRetries } from "./api-retry.ts";
import { RateLimiter } from "./rate-limiter.ts";

const policy: RetryPolicy = { attempts: 5, baseMs: 100, maxMs: 1000, maxRetryAfterMs: 5000 };
const answered = (status: number, reason?: string, retryAfterMs?: number): ApiFailure => ({
  status,
  ...(reason ? { reason } : {}),
  ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  message: "m",
  connection: false,
  aborted: false,
});
const connectionFailed: ApiFailure = { message: "ECONNRESET", connection: true, aborted: false };

describe("retry policy", () => {
  it("retries 429, 5xx but 501, Conflict and failed connections; nothing else", () => {
    for (const failure of [answered(429), answered(500), answered(502), answered(503), answered(504), answered(409, "Conflict"), connectionFailed]) {
      assert.equal(isRetryable(failure), true, JSON.stringify(failure));
    }
    for (const failure of [answered(400), answered(401), answered(403), answered(404), answered(409, "AlreadyExists"), answered(422), answered(501)]) {
      assert.equal(isRetryable(failure), false, JSON.stringify(failure));
    }
    assert.equal(isRetryable({ message: "aborted", connection: false, aborted: true }), false);
  });

  it("backs off exponentially with jitter, up to a ceiling", () => {
    const low = () => 0;
    const high = () => 0.999999;
    assert.deepEqual([1, 2, 3, 4].map((tries) => retryDelay(answered(503), tries, policy, low)), [50, 100, 200, 400]);
    assert.deepEqual([1, 2, 3, 4].map((tries) => retryDelay(answered(503), tries, policy, high)), [100, 200, 400, 800]);
    assert.equal(retryDelay(answered(503), 4, { ...policy, maxMs: 300 }, high), 300);
  });

  it("waits as long as Retry-After asks, cut to its limit", () => {
    assert.equal(retryDelay(answered(429, "TooManyRequests", 2000), 1, policy, () => 0), 2000);
    assert.equal(retryDelay(answered(429, "TooManyRequests", 2000), 1, policy, () => 0.5), 2050);
    assert.equal(retryDelay(answered(429, "TooManyRequests", 60_000), 1, policy, () => 0), 5000);
  });

  it("gives up after its tries, and at once on what a retry cannot help", () => {
    assert.equal(retryDelay(answered(503), 5, policy), undefined);
    assert.equal(retryDelay(answered(422), 1, policy), undefined);
  });
});

describe("withRetries", () => {
  const fast: RetryPolicy = { attempts: 4, baseMs: 1, maxMs: 5, maxRetryAfterMs: 5 };
  const limiter = new RateLimiter({ qps: 1000, burst: 100 });
  const failing = (status: number, reason = "") => Object.assign(new Error(`HTTP ${status}`), { code: status, body: JSON.stringify({ kind: "Status", reason, message: `${reason} said the server` }) });

  it("tries again until the call succeeds", async () => {
    let calls = 0;
    const value = await withRetries("reading", async () => (++calls < 3 ? Promise.reject(failing(503, "ServiceUnavailable")) : "done"), { limiter, policy: fast });
    assert.deepEqual([value, calls], ["done", 3]);
  });

  it("throws a KubeApiError naming the call and the tries", async () => {
    let calls = 0;
    await assert.rejects(
      withRetries(
        "creating pod x",
        async () => {
          calls++;
          throw failing(503, "ServiceUnavailable");
        },
        { limiter, policy: fast },
      ),
      (error: unknown) => error instanceof KubeApiError && error.tries === 4 && error.message === "creating pod x failed after 4 tries: 503 ServiceUnavailable: ServiceUnavailable said the server",
    );
    assert.equal(calls, 4);
    await assert.rejects(
      withRetries("creating pod y", async () => Promise.reject(failing(422, "Invalid")), { limiter, policy: fast }),
      (error: unknown) => error instanceof KubeApiError && error.tries === 1 && error.failure.reason === "Invalid",
    );
  });

  it("stops when its signal aborts", async () => {
    const cancel = new AbortController();
    let calls = 0;
    const slow: RetryPolicy = { ...fast, baseMs: 60_000, maxMs: 60_000 };
    const pending = withRetries("listing", async () => {
      calls++;
      setImmediate(() => cancel.abort(new Error("cancelled by the test")));
      throw failing(503);
    }, { limiter, policy: slow, signal: cancel.signal });
    await assert.rejects(pending, /cancelled by the test/);
    assert.equal(calls, 1);
  });
});
