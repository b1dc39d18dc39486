// Which core v1 request a method and path are, named as Kubernetes names
// them (verb + resource), before anything is done with it.
import { ApiError } from "./responses.ts";

export type Verb = "get" | "list" | "watch" | "create" | "delete";
export type Resource = "namespaces" | "pods" | "pods/log" | "pods/portforward";

export interface ApiRoute {
  verb: Verb;
  resource: Resource;
  namespace?: string;
  name?: string;
}

export function routeOf(method: string, url: URL): ApiRoute {
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const watching = url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1";
  const collection = (resource: Resource, namespace?: string): ApiRoute => {
    if (method === "GET") return { verb: watching ? "watch" : "list", resource, ...(namespace !== undefined ? { namespace } : {}) };
    if (method === "POST") return { verb: "create", resource, ...(namespace !== undefined ? { namespace } : {}) };
    throw notAllowed(method, url);
  };
  if (parts[0] !== "api" || parts[1] !== "v1") throw notFound(url);
  const rest = parts.slice(2);

  if (rest.length === 1 && rest[0] === "namespaces") return collection("namespaces");
  if (rest.length === 1 && rest[0] === "pods") {
    if (method !== "GET") throw notAllowed(method, url);
    return collection("pods");
  }
  if (rest[0] !== "namespaces" || rest.length < 2) throw notFound(url);
  const namespace = rest[1]!;
  if (rest.length === 2) {
    if (method === "GET") return { verb: "get", resource: "namespaces", name: namespace };
    throw notAllowed(method, url);
  }
  if (rest[2] !== "pods") throw notFound(url);
  if (rest.length === 3) return collection("pods", namespace);
  const name = rest[3]!;
  if (rest.length === 4) {
    if (method === "GET") return { verb: "get", resource: "pods", namespace, name };
    if (method === "DELETE") return { verb: "delete", resource: "pods", namespace, name };
    throw notAllowed(method, url);
  }
  if (rest.length === 5 && rest[4] === "log" && method === "GET") return { verb: "get", resource: "pods/log", namespace, name };
  if (rest.length === 5 && rest[4] === "portforward" && method === "GET") {
    return { verb: "create", resource: "pods/portforward", namespace, name };
  }
  throw notFound(url);
}

function notFound(url: URL): ApiError {
  return new ApiError(404, "NotFound", `the server could not find the requested resource (the simulator serves no ${url.pathname})`);
}

function notAllowed(method: string, url: URL): ApiError {
  return new ApiError(405, "MethodNotAllowed", `the simulator does not serve ${method} ${url.pathname}`);
}
