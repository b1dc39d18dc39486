/**
 * A duration written as text, the way a task's `timeout` option takes one:
 * a number with `ms`, `s`, `m` or `h` (`"250ms"`, `"30s"`, `"1.5h"`), or a
 * number alone for milliseconds. The checker validates `timeout` with it and
 * the runner reads it (runner/engine/retry-policy.ts `parseDuration`).
 */
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Milliseconds, or `undefined` when `text` is not a duration. */
export function parseDurationText(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[(match[2] ?? "ms") as keyof typeof UNIT_MS];
}
