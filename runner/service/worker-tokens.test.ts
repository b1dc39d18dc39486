import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { signAttemptToken, verifyAttemptToken } from "./attempt-tokens.ts";
import { signWorkerToken, verifyWorkerToken } from "./worker-tokens.ts";

const secret = randomBytes(32);
const claims = { instance: "r1", pool: "p1", pod: "aloft-worker-p1-r1-0", expiresAt: 10_000 };

test("a worker token verifies to its own pod until it expires", () => {
  const token = signWorkerToken(secret, claims);
  assert.deepEqual(verifyWorkerToken(secret, token, 9_999), { ok: true, claims });
  const expired = verifyWorkerToken(secret, token, 10_000);
  assert.match(!expired.ok ? expired.reason : "", /expired/);
});

test("another secret, an edited payload, or an attempt token's parts are refused", () => {
  const token = signWorkerToken(secret, claims);
  assert.match(String((verifyWorkerToken(randomBytes(32), token, 0) as { reason: string }).reason), /signature/);
  const [head, , sig] = token.split(".") as [string, string, string];
  const forged = Buffer.from(JSON.stringify(["r1", "p1", "another-pod", 10_000])).toString("base64url");
  assert.equal(verifyWorkerToken(secret, `${head}.${forged}.${sig}`, 0).ok, false);
  // The same secret signs attempt tokens: neither kind passes for the other.
  const attempt = signAttemptToken(secret, { executionId: "e", nodeId: "n", attempt: 1, expiresAt: 10_000 });
  assert.equal(verifyWorkerToken(secret, attempt, 0).ok, false);
  assert.equal(verifyWorkerToken(secret, attempt.replace("aloft-attempt.", "aloft-worker."), 0).ok, false);
  assert.equal(verifyAttemptToken(secret, token.replace("aloft-worker.", "aloft-attempt."), 0).ok, false);
});
