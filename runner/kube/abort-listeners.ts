/**
 * Listening for the abort of a signal that many attempts share (an
 * execution's, an executor's closing): one real listener per signal, however
 * many attempts wait on it. Node warns of a leak past ten listeners on one
 * signal, and a map of a hundred items has a hundred attempts in flight.
 */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `listener` once when `signal` aborts (at once if it has). Returns
 * what stops listening; calling it after the abort does nothing.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) {
    listener();
    return () => {};
  }
  let listeners = waiting.get(signal);
  if (!listeners) {
    const fresh = new Set<() => void>();
    waiting.set(signal, (listeners = fresh));
    signal.addEventListener(
      "abort",
      () => {
        waiting.delete(signal);
        for (const each of fresh) each();
      },
      { once: true },
    );
  }
  // A wrapper per call: the same function may wait twice.
  const entry = () => listener();
  listeners.add(entry);
  return () => listeners.delete(entry);
}

/**
 * A signal of its own that aborts when any of `signals` does (with that
 * one's reason), listening through `onAbort`. `dispose` stops listening.
 */
export function anyAborted(signals: readonly (AbortSignal | undefined)[]): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stops: (() => void)[] = [];
  for (const signal of signals) {
    if (!signal) continue;
    stops.push(onAbort(signal, () => controller.abort(signal.reason)));
    if (controller.signal.aborted) break;
  }
  return { signal: controller.signal, dispose: () => stops.forEach((stop) => stop()) };
}
