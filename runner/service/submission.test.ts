import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError } from "./api-error.ts";
import { parseSubmission } from "./submission.ts";

const body = (fields: Record<string, unknown> = {}) => ({
  file: "flows/train.ts",
  entity: "train",
  bundle: { code: `sha256:${"a".repeat(64)}` },
  interfaces: {},
  entities: [],
  graphs: {},
  inputs: { rows: 3 },
  ...fields,
});

function refusal(fields: Record<string, unknown>): ApiError {
  try {
    parseSubmission(body(fields));
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    return error;
  }
  assert.fail(`accepted ${JSON.stringify(fields)}`);
}

describe("a submission's body", () => {
  it("carries the project and domain it names, and leaves out those it does not", () => {
    assert.deepEqual(parseSubmission(body({ project: "fraud", domain: "production" })), { ...body(), project: "fraud", domain: "production" });
    const bare = parseSubmission(body());
    assert.equal("domain" in bare || "project" in bare, false);
  });

  it("refuses a domain that is no name, naming the field", () => {
    for (const domain of ["Production", "", "-dev", "a".repeat(64), 7, null]) {
      const error = refusal({ domain });
      assert.equal(error.status, 400);
      assert.equal(error.code, "BAD_SUBMISSION");
      assert.match(error.message, /^domain must be 1 to 63 lowercase letters, digits, "\.", "_" or "-", starting and ending with a letter or digit; got /);
    }
    assert.equal(parseSubmission(body({ domain: "a".repeat(63) })).domain, "a".repeat(63));
  });
});
