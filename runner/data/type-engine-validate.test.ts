import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { TypeSpec } from "../../compiler/type-spec.ts";
import { validate } from "./type-engine.ts";
import type { WireValue } from "./wire.ts";

const digest = `sha256:${"ab".repeat(32)}`;
const file: WireValue = { $file: { digest, name: "a.csv", size: 3 } };
const dir: WireValue = { $dir: { digest, name: "images" } };
const date: WireValue = { $date: "2024-01-02T03:04:05.000Z" };

const str: TypeSpec = { kind: "string" };
const num: TypeSpec = { kind: "number" };
const nul: TypeSpec = { kind: "null" };
const opt = (type: TypeSpec) => ({ type, optional: true });
const req = (type: TypeSpec) => ({ type, optional: false });
const union = (...options: TypeSpec[]): TypeSpec => ({ kind: "union", options });

function fits(wire: WireValue, spec: TypeSpec): void {
  assert.deepEqual(validate(wire, spec, "output"), [], `${JSON.stringify(wire)} should fit ${JSON.stringify(spec)}`);
}

function problems(wire: WireValue, spec: TypeSpec): string[] {
  const found = validate(wire, spec, "output");
  assert.ok(found.length, `${JSON.stringify(wire)} should not fit ${JSON.stringify(spec)}`);
  return found;
}

describe("validate", () => {
  it("checks primitives and literals", () => {
    fits("x", str);
    fits(1.5, num);
    fits(true, { kind: "boolean" });
    fits(null, nul);
    fits("gpu", { kind: "literal", value: "gpu" });
    fits(3, { kind: "literal", value: 3 });
    assert.deepEqual(problems("high", num), ['output: expected number, got "high"']);
    assert.deepEqual(problems(1, str), ["output: expected string, got 1"]);
    assert.deepEqual(problems("true", { kind: "boolean" }), ['output: expected boolean, got "true"']);
    assert.deepEqual(problems("cpu", { kind: "literal", value: "gpu" }), ['output: expected "gpu", got "cpu"']);
    assert.deepEqual(problems(0, nul), ["output: expected null, got 0"]);
  });

  it("takes null as the wire form of undefined (a task returning nothing)", () => {
    fits(null, { kind: "undefined" });
    problems("x", { kind: "undefined" });
  });

  it("checks dates, files and dirs by their tags", () => {
    fits(date, { kind: "date" });
    fits(file, { kind: "file" });
    fits(dir, { kind: "dir" });
    assert.deepEqual(problems("2024-01-02", { kind: "date" }), ['output: expected Date, got "2024-01-02"']);
    assert.deepEqual(problems({ $date: "yesterday" }, { kind: "date" }), ['output: a Date reference holds "yesterday", which is not an ISO date']);
    assert.deepEqual(problems(dir, { kind: "file" }), ["output: expected File, got a Dir"]);
    assert.deepEqual(problems(file, { kind: "dir" }), ["output: expected Dir, got a File"]);
    assert.deepEqual(problems({ $file: { digest: "md5:1", name: "a", size: 1 } }, { kind: "file" }), [
      "output: a File reference needs a sha256 digest, a name and a size",
    ]);
    assert.deepEqual(problems(file, { kind: "record", fields: {} }), ["output: expected {}, got a File"]);
  });

  it("checks array items by index", () => {
    const spec: TypeSpec = { kind: "array", items: num };
    fits([], spec);
    fits([1, 2], spec);
    assert.deepEqual(problems([1, "2", 3, null], spec), ['output[1]: expected number, got "2"', "output[3]: expected number, got null"]);
    assert.deepEqual(problems({ 0: 1 }, spec), ["output: expected number[], got an object with field 0"]);
  });

  it("checks records: required, optional, T | undefined, and unknown fields", () => {
    const spec: TypeSpec = {
      kind: "record",
      fields: { auc: req(num), notes: opt(str), seed: req(union(num, { kind: "undefined" })), "odd key": opt(str) },
    };
    fits({ auc: 0.9 }, spec);
    fits({ auc: 0.9, notes: "ok", seed: 1, "odd key": "k" }, spec);
    assert.deepEqual(problems({ notes: 1, extra: true, "odd key": 2 }, spec), [
      "output.auc: missing (expected number)",
      "output.notes: expected string, got 1",
      'output["odd key"]: expected string, got 2',
      "output.extra: unexpected field (declared fields: auc, notes, seed, odd key)",
    ]);
    assert.deepEqual(problems([1], spec).length, 1);
  });

  it("checks nested paths deep down", () => {
    const spec: TypeSpec = { kind: "record", fields: { model: req({ kind: "record", fields: { weights: req({ kind: "array", items: num }) } }) } };
    assert.deepEqual(problems({ model: { weights: [1, 2, 3, "x"] } }, spec), ['output.model.weights[3]: expected number, got "x"']);
  });

  it("checks maps: any string keys, one value type", () => {
    const spec: TypeSpec = { kind: "map", values: { kind: "array", items: str } };
    fits({}, spec);
    fits({ a: ["x"], "b c": [] }, spec);
    assert.deepEqual(problems({ a: ["x"], b: [1] }, spec), ["output.b[0]: expected string, got 1"]);
    assert.deepEqual(problems(["x"], spec), ["output: expected Record<string, string[]>, got an array of 1 item"]);
  });

  it("accepts anything for any", () => {
    for (const wire of [null, 1, "x", [file], { a: dir }, date]) fits(wire, { kind: "any" });
  });

  it("checks unions, explaining through the one option shaped like the value", () => {
    const point: TypeSpec = { kind: "record", fields: { x: req(num) } };
    const spec = union(point, nul, { kind: "array", items: num });
    fits(null, spec);
    fits({ x: 1 }, spec);
    fits([1], spec);
    assert.deepEqual(problems({ x: "1" }, spec), ['output.x: expected number, got "1"']);
    assert.deepEqual(problems("x", union(num, nul)), ['output: expected number | null, got "x"']);
    const twoRecords = union(point, { kind: "record", fields: { y: req(num) } });
    assert.deepEqual(problems({ z: 1 }, twoRecords), ["output: expected { x: number } | { y: number }, got an object with field z"]);
  });

  it("accepts nothing for never (a union of no options)", () => {
    assert.deepEqual(problems(null, union()), ["output: expected no value (the type is never), got null"]);
  });

  it("stops listing after twenty problems", () => {
    const found = problems(Array.from({ length: 50 }, () => "x"), { kind: "array", items: num });
    assert.equal(found.length, 21);
    assert.equal(found[20], "… and 30 more problems");
  });
});
