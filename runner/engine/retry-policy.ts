/**
 * Whether and when a failed attempt is tried again: a pure function of the
 * failure and the attempts so far, so it is the same for every backend.
 */
import type { ErrorInfo } from "../../compiler/errors.ts";
import { parseDurationText } from "../../compiler/duration.ts";

/** Failures that come out the same however often they are tried. */
const DETERMINISTIC = new Set(["DATA_INVALID", "ENTITY_NOT_FOUND", "ENTITY_NOT_EXPORTED", "INPUT_INVALID", "WORKFLOW_NOT_STATIC", "WORKFLOW_ASYNC", "BUNDLE_LOAD_FAILED", "WORKFLOW_BUILD_FAILED", "ENTITY_KIND_MISMATCH"]);

/** A dead worker or runner is not the task's fault: it gets its own budget. */
export const SYSTEM_RETRIES = 3;

export interface AttemptHistory {
  /** Failures counted against the task's own `retries` (user errors, timeouts). */
  userFailures: number;
  /** Failures of the machine (crashed worker, out of memory, interrupted runner). */
  systemFailures: number;
}

export function shouldRetry(error: ErrorInfo, history: AttemptHistory, retries: number): boolean {
  if (DETERMINISTIC.has(error.code)) return false;
  if (error.kind === "system") return history.systemFailures <= SYSTEM_RETRIES;
  return history.userFailures <= retries;
}

/** Counts an entity's failed attempts by whose fault they were. */
export function failureHistory(attempts: readonly { status: string; error?: ErrorInfo }[]): AttemptHistory {
  const history: AttemptHistory = { userFailures: 0, systemFailures: 0 };
  for (const attempt of attempts) {
    if (attempt.status !== "failed") continue;
    if (attempt.error?.kind === "system") history.systemFailures++;
    else history.userFailures++;
  }
  return history;
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };

/**
 * Exponential backoff with full jitter: a uniform delay in [0, base·2^(n-1)],
 * capped, so retries of many failed tasks do not arrive in lockstep.
 */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(random() * ceiling);
}

/** Parses a task's `timeout` option: milliseconds, or `"90s"`, `"5m"`, `"1h"`, `"250ms"` (compiler/duration.ts). */
export function parseDuration(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return value > 0 ? value : undefined;
  const ms = parseDurationText(value);
  if (ms === undefined) throw new Error(`timeout "${value}" is not a duration: use milliseconds or "30s", "5m", "1h"`);
  return ms;
}
