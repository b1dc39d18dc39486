/**
 * How a pod's agent tells the runner that its attempt, run with `debug`,
 * is paused and where its inspector listens: the executor that launched the
 * attempt expects the call, the agent's route delivers it. Only the replica
 * that launched the attempt expects it (it holds the engine that waits).
 */
import type { AttemptRef, InspectorEndpoint } from "../worker/protocol.ts";
import { attemptKey } from "./protocol.ts";

export class DebuggerAnnouncements {
  private readonly expected = new Map<string, (endpoint: InspectorEndpoint) => void>();

  /** Until the returned function is called, an announcement for `attempt` goes to `onDebugger`. */
  expect(attempt: AttemptRef, onDebugger: (endpoint: InspectorEndpoint) => void): () => void {
    const key = attemptKey(attempt);
    this.expected.set(key, onDebugger);
    return () => {
      if (this.expected.get(key) === onDebugger) this.expected.delete(key);
    };
  }

  /** False when no attempt of that key is expected here. */
  announce(attempt: AttemptRef, endpoint: InspectorEndpoint): boolean {
    const deliver = this.expected.get(attemptKey(attempt));
    deliver?.(endpoint);
    return deliver !== undefined;
  }
}
