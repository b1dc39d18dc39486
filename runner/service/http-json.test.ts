// readJsonBody and the error body over a real loopback server.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { toApiError } from "./api-error.ts";
import type { ErrorResponse } from "./protocol.ts";
import { readJsonBody, sendError, sendJson } from "./http-json.ts";

describe("JSON bodies", () => {
  let server: Server;
  let url: string;

  before(async () => {
    server = createServer((request, response) => {
      readJsonBody(request, 64).then(
        (body) => sendJson(response, 200, { echoed: body }),
        (error) => sendError(response, toApiError(error)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/things`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = async (body: string) => {
    const response = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } });
    return { status: response.status, type: response.headers.get("content-type"), body: (await response.json()) as { echoed?: unknown } & Partial<ErrorResponse> };
  };

  it("parses a JSON body", async () => {
    assert.deepEqual(await post('{"a":[1,2]}'), { status: 200, type: "application/json; charset=utf-8", body: { echoed: { a: [1, 2] } } });
  });

  it("answers 400 with the parser's reason for text that is not JSON", async () => {
    const { status, body } = await post("{nope");
    assert.equal(status, 400);
    assert.equal(body.error?.code, "BAD_JSON");
    assert.match(body.error?.message ?? "", /the body of POST \/things is not valid JSON: /);
  });

  it("answers 400 for an empty body", async () => {
    const { status, body } = await post("");
    assert.equal(status, 400);
    assert.match(body.error?.message ?? "", /wants a JSON body and got none/);
  });

  it("answers 413 past the size limit", async () => {
    const { status, body } = await post(JSON.stringify({ long: "x".repeat(100) }));
    assert.equal(status, 413);
    assert.equal(body.error?.code, "BODY_TOO_LARGE");
  });
});
