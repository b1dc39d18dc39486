// A watch: one long HTTP 200 response of newline-separated JSON events.
// From an unset resource version ("" or "0") it first sends every matching
// object as ADDED; from a given one it replays the changes after it, or, when
// the history no longer reaches that far, sends one ERROR event carrying a
// 410 `Status` and ends, as the API server's watch cache does.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Kind, KubeObject } from "./objects.ts";
import type { ObjectStore, StoredEvent } from "./object-store.ts";
import { ApiError, badRequest } from "./responses.ts";

export interface WatchRequest {
  kind: Kind;
  namespace: string | undefined;
  resourceVersion: string | null;
  timeoutSeconds: string | null;
  matches: (object: KubeObject) => boolean;
}

/** The watches that are open, by the label selector they were asked with, so a test can drop them. */
export class OpenWatches {
  private readonly open = new Map<ServerResponse, string>();

  add(res: ServerResponse, labelSelector = ""): void {
    this.open.set(res, labelSelector);
    res.on("close", () => this.open.delete(res));
  }

  get size(): number {
    return this.open.size;
  }

  /** Open watches asked with exactly `labelSelector` (all of them when it is undefined). */
  count(labelSelector?: string): number {
    return this.matching(labelSelector).length;
  }

  /** Ends the open watches (of one label selector, if given); `abrupt` resets the connection instead of ending the response. */
  drop(abrupt = false, labelSelector?: string): number {
    const dropped = this.matching(labelSelector);
    for (const res of dropped) {
      if (abrupt) res.socket?.destroy();
      else res.end();
      this.open.delete(res);
    }
    return dropped.length;
  }

  private matching(labelSelector: string | undefined): ServerResponse[] {
    return [...this.open].filter(([, selector]) => labelSelector === undefined || selector === labelSelector).map(([res]) => res);
  }
}

export function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  store: ObjectStore,
  watches: OpenWatches,
  request: WatchRequest,
): void {
  const from = startingRevision(request.resourceVersion);
  const timeoutSeconds = parseTimeout(request.timeoutSeconds);
  const relevant = (object: KubeObject) =>
    object.kind === request.kind &&
    (request.namespace === undefined || object.metadata.namespace === request.namespace) &&
    request.matches(object);

  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
  res.flushHeaders();
  const send = (type: string, object: unknown) => res.write(JSON.stringify({ type, object }) + "\n");

  let backlog: StoredEvent[];
  if (from === undefined) {
    for (const object of store.list(request.kind, request.namespace)) {
      if (relevant(object)) send("ADDED", { ...object, apiVersion: "v1", kind: request.kind });
    }
    backlog = [];
  } else {
    const history = store.changesSince(from);
    if ("expiredBefore" in history) {
      const gone = new ApiError(410, "Expired", `too old resource version: ${from} (${history.expiredBefore})`);
      send("ERROR", gone.statusObject());
      res.end();
      return;
    }
    backlog = history.events;
  }
  for (const event of backlog) if (relevant(event.object)) send(event.type, event.object);

  const unsubscribe = store.subscribe((event) => {
    if (relevant(event.object)) send(event.type, event.object);
  });
  watches.add(res, new URL(req.url ?? "/", "http://kube-sim").searchParams.get("labelSelector") ?? "");
  const timer = timeoutSeconds === undefined ? undefined : setTimeout(() => res.end(), timeoutSeconds * 1000);
  const close = () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
  };
  res.on("close", close);
  req.on("close", close);
}

function startingRevision(resourceVersion: string | null): number | undefined {
  if (resourceVersion === null || resourceVersion === "" || resourceVersion === "0") return undefined;
  const revision = Number(resourceVersion);
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw badRequest(`invalid resourceVersion "${resourceVersion}": the simulator's resource versions are integers`);
  }
  return revision;
}

function parseTimeout(text: string | null): number | undefined {
  if (text === null || text === "") return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) throw badRequest(`invalid timeoutSeconds "${text}": want a number of seconds`);
  return seconds;
}
