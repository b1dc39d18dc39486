import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openSqliteStore } from "../store/sqlite-store.ts";
import { ApiError } from "./api-error.ts";
import { authenticate, bearerTokenOf } from "./bearer-auth.ts";
import { generateToken, issueToken } from "./tokens.ts";

function rejection(fn: () => unknown): ApiError {
  try {
    fn();
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
  it("takes the token of a Bearer header, whatever the scheme's case", () => {
    assert.equal(bearerTokenOf({ authorization: "Bearer abc-_.~+/=" }), "abc-_.~+/=");
    assert.equal(bearerTokenOf({ authorization: "bearer xyz" }), "xyz");
  });

  it("rejects a missing, empty or malformed header, saying which", () => {
    assert.match(rejection(() => bearerTokenOf({})).message, /wants an "Authorization: Bearer TOKEN" header/);
    assert.match(rejection(() => bearerTokenOf({ authorization: "" })).message, /wants an "Authorization: Bearer TOKEN" header/);
    const basic = rejection(() => bearerTokenOf({ authorization: "Basic dXNlcjpwdw==" }));
    assert.match(basic.message, /uses the "Basic" scheme/);
    assert.match(basic.headers["www-authenticate"]!, /error="invalid_request"/);
    assert.match(rejection(() => bearerTokenOf({ authorization: "Bearer" })).message, /has no token after Bearer/);
    assert.match(rejection(() => bearerTokenOf({ authorization: "Bearer two words" })).message, /Authorization header/);
  });

  it("knows the tokens the store holds and no other", () => {
    const store = openSqliteStore(":memory:");
    try {
      const { token, record } = issueToken(store, { kind: "admin" }, "test");
      assert.deepEqual(authenticate(store, { authorization: `Bearer ${token}` }), { tokenId: record.id, scope: { kind: "admin" } });
      const wrong = rejection(() => authenticate(store, { authorization: `Bearer ${generateToken()}` }));
      assert.match(wrong.message, /not one this runner issued/);
      assert.match(wrong.headers["www-authenticate"]!, /error="invalid_token"/);
    } finally {
      store.close();
    }
  });
});
