// The simulated etcd: objects, one cluster-wide resource version that every
// change bumps, and a bounded history of changes that watches replay from.
// A watch from a resource version older than the history answers 410 Gone,
// which is what makes an informer relist.
import { randomUUID } from "node:crypto";
import { type Kind, type KubeObject, timestamp } from "./objects.ts";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoredEvent {
  revision: number;
  type: WatchEventType;
  object: KubeObject;
}

export type HistoryFrom = { events: StoredEvent[] } | { expiredBefore: number };

export class ObjectStore {
  private revision = 1;
  private readonly objects = new Map<string, KubeObject>();
  private history: StoredEvent[] = [];
  /** Changes up to and including this revision are no longer in the history. */
  private compactedThrough = 0;
  private readonly listeners = new Set<(event: StoredEvent) => void>();

  constructor(private readonly historyLimit = 10_000) {}

  get currentRevision(): number {
    return this.revision;
  }

  get(kind: Kind, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.objects.get(key(kind, namespace, name));
    return found && structuredClone(found);
  }

  list(kind: Kind, namespace?: string): KubeObject[] {
    const items: KubeObject[] = [];
    for (const object of this.objects.values()) {
      if (object.kind !== kind) continue;
      if (namespace !== undefined && object.metadata.namespace !== namespace) continue;
      items.push(structuredClone(object));
    }
    return items.sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
  }

  /** Stores a new object, filling in uid, creation time and resource version. */
  create(object: KubeObject): KubeObject {
    const stored = structuredClone(object);
    stored.metadata.uid = randomUUID();
    stored.metadata.creationTimestamp = timestamp();
    this.objects.set(keyOf(stored), stored);
    return this.record("ADDED", stored);
  }

  /** Changes a stored object in place; undefined when it is gone. */
  update(kind: Kind, namespace: string | undefined, name: string, change: (object: KubeObject) => void): KubeObject | undefined {
    const stored = this.objects.get(key(kind, namespace, name));
    if (!stored) return undefined;
    change(stored);
    return this.record("MODIFIED", stored);
  }

  remove(kind: Kind, namespace: string | undefined, name: string): KubeObject | undefined {
    const k = key(kind, namespace, name);
    const stored = this.objects.get(k);
    if (!stored) return undefined;
    this.objects.delete(k);
    return this.record("DELETED", stored);
  }

  /** Every change after `revision`, or how far back the history still reaches. */
  changesSince(revision: number): HistoryFrom {
    if (revision < this.compactedThrough) return { expiredBefore: this.compactedThrough };
    return { events: this.history.filter((event) => event.revision > revision) };
  }

  /** Forgets every past change, as etcd compaction does: older watches get 410. */
  compact(): void {
    this.compactedThrough = this.revision;
    this.history = [];
  }

  subscribe(listener: (event: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(type: WatchEventType, stored: KubeObject): KubeObject {
    this.revision += 1;
    stored.metadata.resourceVersion = String(this.revision);
    const event: StoredEvent = { revision: this.revision, type, object: structuredClone(stored) };
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedThrough = dropped[dropped.length - 1]!.revision;
    }
    for (const listener of [...this.listeners]) listener(event);
    return structuredClone(stored);
  }
}

function key(kind: Kind, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ""}/${name}`;
}

function keyOf(object: KubeObject): string {
  return key(object.kind, object.metadata.namespace, object.metadata.name);
}
