import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { signAttemptToken, verifyAttemptToken } from "./attempt-tokens.ts";

const secret = randomBytes(32);
const claims = { executionId: "abc123", nodeId: "train/fit[3]", attempt: 2, expiresAt: 10_000 };

test("a token signed by the runner verifies to its own attempt until it expires", () => {
  const token = signAttemptToken(secret, claims);
  assert.deepEqual(verifyAttemptToken(secret, token, 9_999), { ok: true, claims });
  const expired = verifyAttemptToken(secret, token, 10_000);
  assert.equal(expired.ok, false);
  assert.match(!expired.ok ? expired.reason : "", /expired/);
});

test("another secret, an edited payload or a cut token is refused", () => {
  const token = signAttemptToken(secret, claims);
  assert.match(String((verifyAttemptToken(randomBytes(32), token, 0) as { reason: string }).reason), /signature/);
  const [head, payload, sig] = token.split(".") as [string, string, string];
  const forged = Buffer.from(JSON.stringify(["abc123", "train/fit[3]", 3, 10_000])).toString("base64url");
  assert.equal(verifyAttemptToken(secret, `${head}.${forged}.${sig}`, 0).ok, false);
  assert.equal(verifyAttemptToken(secret, `${head}.${payload}`, 0).ok, false);
  assert.equal(verifyAttemptToken(secret, "not-a-token", 0).ok, false);
});
