// The simulator's own HTTP routes under /sim/, for a person or a test that
// holds no handle on the simulator object (`npm run kube-sim`). They mirror
// the programmatic knobs, are not counted as API requests and need no token.
//
//   GET    /sim/counts                      request counts
//   DELETE /sim/counts                      reset them
//   POST   /sim/faults         RequestFaultRule        → { id }
//   DELETE /sim/faults                      clear request faults
//   POST   /sim/pod-faults     PodFaultRule            arm a pod failure
//   DELETE /sim/pod-faults                  disarm
//   POST   /sim/pods/NS/NAME/fail  { reason }          OOMKilled or Evicted
//   POST   /sim/watches/drop   { abrupt? }             → { dropped }
//   POST   /sim/history/compact                 older watches get 410
//   GET    /sim/settings                    { podStartLatencyMs, openWatches }
//   PUT    /sim/settings       { podStartLatencyMs }
import type { IncomingMessage, ServerResponse } from "node:http";
import { isRecord } from "./pod-admission.ts";
import { checkPodFaultReason, type PodFaultRule } from "./pod-faults.ts";
import type { RequestFaultRule } from "./request-faults.ts";
import { ApiError, badRequest, readJsonBody, sendJson } from "./responses.ts";
import type { KubeSimulator } from "./simulator.ts";

export async function handleAdmin(sim: KubeSimulator, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = url.pathname.replace(/\/+$/, "");
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "DELETE" ? undefined : await readJsonBody(req);
  const done = (result: unknown = { ok: true }) => sendJson(res, 200, result);

  if (path === "/sim/counts" && method === "GET") return done(sim.counts());
  if (path === "/sim/counts" && method === "DELETE") return done(sim.resetCounts());
  if (path === "/sim/faults" && method === "POST") return done({ id: sim.injectFault(objectBody(body) as unknown as RequestFaultRule) });
  if (path === "/sim/faults" && method === "DELETE") return done(sim.clearFaults());
  if (path === "/sim/pod-faults" && method === "POST") return done(sim.armPodFault(objectBody(body) as unknown as PodFaultRule));
  if (path === "/sim/pod-faults" && method === "DELETE") return done(sim.clearPodFaults());
  if (path === "/sim/watches/drop" && method === "POST") {
    return done({ dropped: sim.dropWatches({ abrupt: objectBody(body ?? {}).abrupt === true }) });
  }
  if (path === "/sim/history/compact" && method === "POST") return done(sim.compactHistory());
  if (path === "/sim/settings" && method === "GET") return done(sim.settings());
  if (path === "/sim/settings" && method === "PUT") {
    const latency = objectBody(body).podStartLatencyMs;
    if (latency !== undefined) sim.setPodStartLatency(latency as number);
    return done(sim.settings());
  }
  const fail = /^\/sim\/pods\/([^/]+)\/([^/]+)\/fail$/.exec(path);
  if (fail && method === "POST") {
    const reason = checkPodFaultReason(objectBody(body).reason);
    return done(sim.failPod(decodeURIComponent(fail[1]!), decodeURIComponent(fail[2]!), reason));
  }
  throw new ApiError(404, "NotFound", `the simulator has no admin route ${method} ${path} (see test/kube-sim/admin-routes.ts)`);
}

function objectBody(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw badRequest("the admin route wants a JSON object body");
  return body;
}
