import assert from "node:assert/strict";
import { it } from "node:test";
import type { TypeSpec } from "../../server/protocol.ts";
import { jsonProblems } from "./json-shape.ts";

it("accepts JSON that fits the type: paths for File and Dir, ISO strings for dates", () => {
  const spec: TypeSpec = {
    kind: "record",
    fields: {
      files: { type: { kind: "array", items: { kind: "file" } }, optional: false },
      since: { type: { kind: "date" }, optional: true },
      weights: { type: { kind: "map", values: { kind: "number" } }, optional: false },
    },
  };
  assert.deepEqual(jsonProblems({ files: ["a.csv"], since: "2024-05-01", weights: { a: 1, "b c": 2 } }, spec, "x"), []);
  assert.deepEqual(jsonProblems({ files: [3], since: "yesterday", weights: { "b c": "2" } }, spec, "x"), [
    "x.files[0]: expected a file path, got 3",
    'x.since: expected an ISO date like 2024-05-01, got "yesterday"',
    'x.weights["b c"]: expected a number, got "2"',
  ]);
});

it("explains a union by the one option of the value's shape, or lists the options", () => {
  const spec: TypeSpec = { kind: "union", options: [{ kind: "array", items: { kind: "number" } }, { kind: "null" }, { kind: "undefined" }] };
  assert.deepEqual(jsonProblems(null, spec, "x"), []);
  assert.deepEqual(jsonProblems([1, "2"], spec, "x"), ['x[1]: expected a number, got "2"']);
  assert.deepEqual(jsonProblems("none", spec, "x"), ['x: expected one of array, null, got "none"']);
});

it("refuses literals other than the declared one", () => {
  assert.deepEqual(jsonProblems("slow", { kind: "literal", value: "fast" }, "mode"), ['mode: expected "fast", got "slow"']);
});
