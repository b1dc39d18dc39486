import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "./api-error.ts";
import { Router, type Route } from "./router.ts";

const route = (method: Route["method"], path: string): Route => ({ method, path, handle: () => ({ method, path }) });

function failure(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    return error;
  }
  assert.fail("expected an ApiError");
}

describe("the router", () => {
  const router = new Router([route("GET", "/api/v1/executions"), route("GET", "/api/v1/executions/:id"), route("DELETE", "/api/v1/executions/:id")]);

  it("matches literal paths and decodes parameters", () => {
    assert.equal(router.match("GET", "/api/v1/executions").route.path, "/api/v1/executions");
    assert.equal(router.match("GET", "/api/v1/executions/").route.path, "/api/v1/executions");
    const { route: found, params } = router.match("GET", "/api/v1/executions/a%2Fb%20c");
    assert.equal(found.path, "/api/v1/executions/:id");
    assert.deepEqual(params, { id: "a/b c" });
    assert.equal(router.match("DELETE", "/api/v1/executions/x").route.method, "DELETE");
  });

  it("answers 404 for an unknown path, naming it", () => {
    const error = failure(() => router.match("GET", "/api/v1/nope"));
    assert.equal(error.status, 404);
    assert.equal(error.code, "ROUTE_NOT_FOUND");
    assert.match(error.message, /GET \/api\/v1\/nope/);
    assert.equal(failure(() => router.match("GET", "/api/v1/executions/a/b")).status, 404);
  });

  it("answers 405 with the allowed methods for a known path", () => {
    const error = failure(() => router.match("POST", "/api/v1/executions/x"));
    assert.equal(error.status, 405);
    assert.equal(error.code, "METHOD_NOT_ALLOWED");
    assert.equal(error.headers.allow, "DELETE, GET");
    assert.match(error.message, /does not take POST; it takes DELETE, GET/);
  });

  it("answers 400 for a malformed percent-encoding", () => {
    const error = failure(() => router.match("GET", "/api/v1/executions/%E0%A4%A"));
    assert.equal(error.status, 400);
    assert.match(error.message, /malformed percent-encoding/);
  });

  it("refuses the same route twice", () => {
    assert.throws(() => new Router([route("GET", "/a/:x"), route("GET", "/a/:x")]), /GET \/a\/:x is registered twice/);
  });
});
