/**
 * The service's route table: a method and a path pattern (`/api/v1/executions/:id`)
 * per route. An unknown path is 404; a known path with another method is 405
 * with the methods it takes in `Allow`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Caller } from "./access.ts";
import { ApiError } from "./api-error.ts";

export interface RouteContext {
  request: IncomingMessage;
  /** For `raw` routes, which write their own reply (a blob's bytes). */
  response: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Who the bearer token belongs to; absent only on public routes. */
  principal?: Caller;
}

export interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Literal segments and `:name` parameters, e.g. `/api/v1/executions/:id`. */
  path: string;
  /** Public routes (the health check) take no token; every other route wants one. */
  public?: boolean;
  /** The handler writes the reply itself instead of returning JSON. */
  raw?: boolean;
  /** Status of a successful reply. */
  status?: number;
  handle(context: RouteContext): unknown | Promise<unknown>;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

export class Router {
  private readonly routes: Array<{ route: Route; segments: string[] }> = [];

  constructor(routes: Route[] = []) {
    routes.forEach((route) => this.add(route));
  }

  add(route: Route): void {
    const segments = splitPath(route.path);
    const clash = this.routes.find((r) => r.route.method === route.method && r.segments.join("/") === segments.join("/"));
    if (clash) throw new Error(`route ${route.method} ${route.path} is registered twice`);
    this.routes.push({ route, segments });
  }

  /** The route for `method` and `path`, or the ApiError (404, 405, 400) to answer with. */
  match(method: string, path: string): RouteMatch {
    const requested = splitPath(path);
    const allowed: string[] = [];
    for (const { route, segments } of this.routes) {
      const params = matchSegments(segments, requested, path);
      if (!params) continue;
      if (route.method === method) return { route, params };
      allowed.push(route.method);
    }
    if (allowed.length) {
      const allow = [...new Set(allowed)].sort().join(", ");
      throw new ApiError(405, "METHOD_NOT_ALLOWED", `${path} does not take ${method}; it takes ${allow}`, { allow });
    }
    throw new ApiError(404, "ROUTE_NOT_FOUND", `no route ${method} ${path} in the runner service; its API lives under /api/v1/ (GET /api/v1/executions lists executions)`);
  }
}

function splitPath(path: string): string[] {
  return path.split("/").filter(Boolean);
}

function matchSegments(pattern: string[], requested: string[], path: string): Record<string, string> | undefined {
  if (pattern.length !== requested.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const actual = requested[i]!;
    if (expected.startsWith(":")) {
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        throw new ApiError(400, "BAD_PATH", `the path ${path} has a malformed percent-encoding in "${actual}"`);
      }
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}
