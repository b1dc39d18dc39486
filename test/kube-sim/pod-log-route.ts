// GET .../pods/NAME/log: the container's output as text/plain, and with
// follow=true, an open response that grows as the process writes and ends
// when it exits. The query is read as client-node's `Log` sends it (it always
// sets follow, pretty, previous and timestamps).
import type { ServerResponse } from "node:http";
import type { CoreApi } from "./core-api.ts";
import type { LogView } from "./container-log.ts";
import type { Pod } from "./objects.ts";
import { badRequest, notFound } from "./responses.ts";

export function serveLog(api: CoreApi, namespace: string, name: string, query: URLSearchParams, res: ServerResponse): void {
  const pod = api.store.get("Pod", namespace, name) as Pod | undefined;
  if (!pod) throw notFound("pods", name);
  const container = pod.spec.containers[0]!.name;
  const asked = query.get("container");
  if (asked && asked !== container) throw badRequest(`container ${asked} is not valid for pod ${name}`);
  if (flag(query, "previous")) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
  const log = api.kubelet.logOf(namespace, name);
  if (!log) throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);

  const view = logView(query);
  const follow = flag(query, "follow");
  res.writeHead(200, { "Content-Type": "text/plain" });
  let budget = view.limitBytes ?? Number.POSITIVE_INFINITY;
  const write = (text: string): boolean => {
    const bytes = Buffer.from(text);
    const allowed = bytes.subarray(0, Math.max(0, Math.min(bytes.length, budget)));
    budget -= allowed.length;
    if (allowed.length > 0) res.write(allowed);
    return budget > 0;
  };
  if (!write(log.read(view)) || !follow || log.ended) {
    res.end();
    return;
  }
  res.flushHeaders();
  const stop = log.follow(
    view,
    (text) => {
      if (!write(text)) {
        stop();
        res.end();
      }
    },
    () => res.end(),
  );
  res.on("close", stop);
}

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === "true" || value === "1";
}

function logView(query: URLSearchParams): LogView {
  const view: LogView = { timestamps: flag(query, "timestamps") };
  const tailLines = wholeNumber(query, "tailLines");
  if (tailLines !== undefined) view.tailLines = tailLines;
  const limitBytes = wholeNumber(query, "limitBytes");
  if (limitBytes !== undefined) {
    if (limitBytes < 1) throw badRequest("limitBytes must be a whole number >= 1");
    view.limitBytes = limitBytes;
  }
  const sinceSeconds = wholeNumber(query, "sinceSeconds");
  const sinceTime = query.get("sinceTime");
  if (sinceSeconds !== undefined && sinceTime !== null) throw badRequest("at most one of sinceTime or sinceSeconds may be specified");
  if (sinceSeconds !== undefined) view.sinceTime = new Date(Date.now() - sinceSeconds * 1000);
  if (sinceTime !== null) {
    const at = new Date(sinceTime);
    if (Number.isNaN(at.getTime())) throw badRequest(`sinceTime "${sinceTime}" is not an RFC 3339 time`);
    view.sinceTime = at;
  }
  return view;
}

function wholeNumber(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === "") return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw badRequest(`${name} must be a whole number >= 0, got "${text}"`);
  return value;
}
