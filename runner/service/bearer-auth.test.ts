import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openSqliteStore } from "../store/sqlite-store.ts";
import { ApiError } from "./api-error.ts";
import { authenticate, bearerTokenOf } from "./bearer-auth.ts";
import { generateToken, issueToken } from "./tokens.ts";

async function rejection(fn: () => unknown): Promise<ApiError> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, 401);
    assert.equal(error.code, "UNAUTHENTICATED");
    assert.match(error.headers["www-authenticate"] ?? "", /^Bearer realm="aloft"/);
    return error;
  }
  assert.fail("expected a 401");
}

describe("bearer authentication", () => {
  it("takes the token of a Bearer header, whatever the scheme's case", async () => {
    assert.equal(bearerTokenOf({ authorization: "Bearer abc-_.~+/=" }), "abc-_.~+/=");
    assert.equal(bearerTokenOf({ authorization: "bearer xyz" }), "xyz");
  });

  it("rejects a missing, empty or malformed header, saying which", async () => {
    assert.match((await rejection(() => bearerTokenOf({}))).message, /wants an "Authorization: Bearer TOKEN" header/);
    assert.match((await rejection(() => bearerTokenOf({ authorization: "" }))).message, /wants an "Authorization: Bearer TOKEN" header/);
    const basic = await rejection(() => bearerTokenOf({ authorization: "Basic dXNlcjpwdw==" }));
    assert.match(basic.message, /uses the "Basic" scheme/);
    assert.match(basic.headers["www-authenticate"]!, /error="invalid_request"/);
    assert.match((await rejection(() => bearerTokenOf({ authorization: "Bearer" }))).message, /has no token after Bearer/);
    assert.match((await rejection(() => bearerTokenOf({ authorization: "Bearer two words" }))).message, /Authorization header/);
  });

  it("knows the tokens the store holds and no other", async () => {
    const store = openSqliteStore(":memory:");
    try {
      const { token, record } = await issueToken(store, { kind: "admin" }, "test");
      const secret = async () => Buffer.alloc(32, 7);
      assert.deepEqual(await authenticate(store, secret, { authorization: `Bearer ${token}` }), { kind: "admin", tokenId: record.id });
      const project = await issueToken(store, { kind: "project", project: "fraud" }, "fraud team");
      assert.deepEqual(await authenticate(store, secret, { authorization: `Bearer ${project.token}` }), { kind: "project", tokenId: project.record.id, project: "fraud" });
      const wrong = await rejection(() => authenticate(store, secret, { authorization: `Bearer ${generateToken()}` }));
      assert.match(wrong.message, /not one this runner issued/);
      assert.match(wrong.headers["www-authenticate"]!, /error="invalid_token"/);
    } finally {
      store.close();
    }
  });
});
