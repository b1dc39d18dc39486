// The core v1 handlers: namespaces get/create/list, pods
// create/get/list/delete, list+watch with selectors, and pod logs.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiRoute } from "./api-routes.ts";
import { parseFieldSelector } from "./field-selector.ts";
import type { Kubelet } from "./kubelet.ts";
import { parseLabelSelector } from "./label-selector.ts";
import type { ObjectStore } from "./object-store.ts";
import type { Kind, KubeObject, Pod } from "./objects.ts";
import { admitPod, isRecord } from "./pod-admission.ts";
import { serveLog } from "./pod-log-route.ts";
import { ApiError, badRequest, invalid, notFound, readJsonBody, sendJson } from "./responses.ts";
import { type OpenWatches, serveWatch } from "./watch-stream.ts";

export interface CoreApi {
  store: ObjectStore;
  kubelet: Kubelet;
  watches: OpenWatches;
}

export async function handleCoreRequest(api: CoreApi, route: ApiRoute, url: URL, req: IncomingMessage, res: ServerResponse) {
  const query = url.searchParams;
  switch (`${route.verb} ${route.resource}`) {
    case "list namespaces":
    case "list pods":
      return listObjects(api, kindOf(route), route.namespace, query, res);
    case "watch namespaces":
    case "watch pods": {
      const kind = kindOf(route);
      const labels = parseLabelSelector(query.get("labelSelector"));
      const fields = parseFieldSelector(kind, query.get("fieldSelector"));
      if (route.namespace !== undefined) requireNamespace(api, route.namespace);
      return serveWatch(req, res, api.store, api.watches, {
        kind,
        namespace: route.namespace,
        resourceVersion: query.get("resourceVersion"),
        timeoutSeconds: query.get("timeoutSeconds"),
        matches: (object) => labels(object.metadata.labels) && fields(object),
      });
    }
    case "get namespaces":
      return sendJson(res, 200, requireNamespace(api, route.name!));
    case "create namespaces":
      return sendJson(res, 201, createNamespace(api, await readJsonBody(req)));
    case "get pods": {
      requireNamespace(api, route.namespace!);
      const pod = api.store.get("Pod", route.namespace, route.name!);
      if (!pod) throw notFound("pods", route.name!);
      return sendJson(res, 200, pod);
    }
    case "create pods": {
      requireNamespace(api, route.namespace!);
      const pod = admitPod(await readJsonBody(req), route.namespace!);
      if (api.store.get("Pod", pod.metadata.namespace, pod.metadata.name)) {
        throw new ApiError(409, "AlreadyExists", `pods "${pod.metadata.name}" already exists`, { name: pod.metadata.name, kind: "pods" });
      }
      const stored = api.store.create(pod) as Pod;
      api.kubelet.admit(stored);
      return sendJson(res, 201, stored);
    }
    case "delete pods": {
      requireNamespace(api, route.namespace!);
      const grace = gracePeriod(query.get("gracePeriodSeconds"), await readJsonBody(req));
      return sendJson(res, 200, api.kubelet.delete(route.namespace!, route.name!, grace));
    }
    case "get pods/log":
      requireNamespace(api, route.namespace!);
      return serveLog(api, route.namespace!, route.name!, query, res);
    default:
      throw new ApiError(405, "MethodNotAllowed", `the simulator does not serve ${route.verb} ${route.resource} over plain HTTP`);
  }
}

function listObjects(api: CoreApi, kind: Kind, namespace: string | undefined, query: URLSearchParams, res: ServerResponse) {
  const labels = parseLabelSelector(query.get("labelSelector"));
  const fields = parseFieldSelector(kind, query.get("fieldSelector"));
  if (namespace !== undefined) requireNamespace(api, namespace);
  // Items of a list carry no apiVersion/kind of their own, as the API server sends them.
  const items = api.store
    .list(kind, namespace)
    .filter((object) => labels(object.metadata.labels) && fields(object))
    .map(({ apiVersion: _, kind: __, ...item }) => item);
  sendJson(res, 200, {
    kind: `${kind}List`,
    apiVersion: "v1",
    metadata: { resourceVersion: String(api.store.currentRevision) },
    items,
  });
}

function requireNamespace(api: CoreApi, name: string): KubeObject {
  const namespace = api.store.get("Namespace", undefined, name);
  if (!namespace) throw notFound("namespaces", name);
  return namespace;
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function createNamespace(api: Pick<CoreApi, "store">, body: unknown): KubeObject {
  if (!isRecord(body) || !isRecord(body.metadata) || typeof body.metadata.name !== "string") {
    throw invalid("Namespace", "", "metadata.name", "Required value");
  }
  const name = body.metadata.name;
  if (name.length > 63 || !dnsLabel.test(name)) {
    throw invalid("Namespace", name, "metadata.name", `Invalid value: "${name}": a lowercase RFC 1123 label is required`);
  }
  if (api.store.get("Namespace", undefined, name)) {
    throw new ApiError(409, "AlreadyExists", `namespaces "${name}" already exists`, { name, kind: "namespaces" });
  }
  const labels = isRecord(body.metadata.labels) ? (body.metadata.labels as Record<string, string>) : {};
  return api.store.create({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      ...body.metadata,
      name,
      labels: { ...labels, "kubernetes.io/metadata.name": name },
      uid: "",
      resourceVersion: "",
      creationTimestamp: "",
    },
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" },
  });
}

function gracePeriod(fromQuery: string | null, body: unknown): number | undefined {
  const fromBody = isRecord(body) ? body.gracePeriodSeconds : undefined;
  const value = fromQuery !== null ? Number(fromQuery) : fromBody;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw badRequest(`gracePeriodSeconds must be a whole number >= 0, got ${JSON.stringify(fromQuery ?? fromBody)}`);
  }
  return value;
}

function kindOf(route: ApiRoute): Kind {
  return route.resource === "namespaces" ? "Namespace" : "Pod";
}
