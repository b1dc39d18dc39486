/**
 * Retries of Kubernetes API calls: which failures a retry can help (429,
 * 5xx, a Conflict, a failed connection), how long to wait (exponential
 * backoff with jitter, or what Retry-After asks), and when to give up. Every
 * call aloft makes is safe to repeat: pods have names fixed by their attempt,
 * so a create that reached the server twice finds its own pod (409).
 */
import { setTimeout as delay } from "node:timers/promises";
import { type ApiFailure, describeApiFailure, failureText } from "./api-failure.ts";
import type { RateLimiter } from "./rate-limiter.ts";

export interface RetryPolicy {
  /** Tries in all, the first one included. */
  attempts: number;
  /** The backoff's first step; each later one doubles, up to `maxMs`. */
  baseMs: number;
  maxMs: number;
  /** A Retry-After longer than this is cut to it. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 8, baseMs: 250, maxMs: 10_000, maxRetryAfterMs: 60_000 };

export function isRetryable(failure: ApiFailure): boolean {
  if (failure.aborted) return false;
  if (failure.connection) return true;
  const status = failure.status;
  if (status === undefined) return false;
  if (status === 429) return true;
  // A Conflict (an object changed under the request) may pass on a second try; AlreadyExists never will.
  if (status === 409) return failure.reason === "Conflict";
  return status >= 500 && status !== 501;
}

/**
 * How long to wait after `tries` failed tries before the next, or undefined
 * to give up. Backoff with equal jitter: half the step fixed, half random, so
 * callers that failed together do not come back together.
 */
export function retryDelay(failure: ApiFailure, tries: number, policy: RetryPolicy, random: () => number = Math.random): number | undefined {
  if (!isRetryable(failure) || tries >= policy.attempts) return undefined;
  const jitter = random() * policy.baseMs;
  if (failure.retryAfterMs !== undefined) return Math.round(Math.min(policy.maxRetryAfterMs, failure.retryAfterMs) + jitter);
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, tries - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** A call that failed for good: not retryable, or out of tries. */
export class KubeApiError extends Error {
  constructor(
    readonly what: string,
    readonly failure: ApiFailure,
    readonly tries: number,
  ) {
    super(`${what} failed${tries > 1 ? ` after ${tries} tries` : ""}: ${failureText(failure)}`);
    this.name = "KubeApiError";
  }
}

export interface RetryContext {
  limiter: RateLimiter;
  policy: RetryPolicy;
  signal?: AbortSignal;
  random?: () => number;
}

/**
 * Runs `call` under the rate limit, trying again as the policy says. A 429
 * with Retry-After holds the whole limiter for that long. Throws
 * `KubeApiError`, or the signal's reason once it aborts.
 */
export async function withRetries<T>(what: string, call: () => Promise<T>, context: RetryContext): Promise<T> {
  const { limiter, policy, signal } = context;
  for (let tries = 1; ; tries++) {
    await limiter.acquire(signal);
    try {
      return await call();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const failure = describeApiFailure(error);
      const wait = retryDelay(failure, tries, policy, context.random);
      if (wait === undefined) throw new KubeApiError(what, failure, tries);
      if (failure.status === 429 && failure.retryAfterMs !== undefined) {
        limiter.holdUntil(Date.now() + Math.min(policy.maxRetryAfterMs, failure.retryAfterMs));
      }
      try {
        await delay(wait, undefined, signal ? { signal } : {});
      } catch (aborted) {
        throw signal?.reason ?? aborted;
      }
    }
  }
}
