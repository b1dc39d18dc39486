/**
 * Fans the events of the executions this runner drives out to the streams
 * watching them. Only live events pass through here; a stream starts from
 * the store (a snapshot, stored logs) and then follows the hub.
 */
import type { ExecutionEvent } from "../engine/events.ts";

export type HubEvent = ExecutionEvent | { type: "end" };
type Subscriber = (event: HubEvent) => void;

export class EventHub {
  private readonly subscribers = new Map<string, Set<Subscriber>>();

  subscribe(executionId: string, subscriber: Subscriber): () => void {
    let set = this.subscribers.get(executionId);
    if (!set) {
      set = new Set();
      this.subscribers.set(executionId, set);
    }
    set.add(subscriber);
    return () => {
      set.delete(subscriber);
      if (set.size === 0 && this.subscribers.get(executionId) === set) this.subscribers.delete(executionId);
    };
  }

  publish(executionId: string, event: HubEvent): void {
    const set = this.subscribers.get(executionId);
    if (!set) return;
    for (const subscriber of [...set]) {
      try {
        subscriber(event);
      } catch {
        // One broken stream must not keep the others, or the engine, from their events.
      }
    }
  }

  /** Tells every watcher the execution is over. */
  end(executionId: string): void {
    this.publish(executionId, { type: "end" });
  }

  watchers(executionId: string): number {
    return this.subscribers.get(executionId)?.size ?? 0;
  }
}
