import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { FieldSpec, TypeSpec } from "../../server/protocol.ts";
import { inputArgs, inputProblem, mayBeLeftOut, promptFor } from "./input-values.ts";

const folder = mkdtempSync(join(tmpdir(), "aloft-input-values-"));
mkdirSync(join(folder, "data"));
writeFileSync(join(folder, "data/one.csv"), "a,b\n");
after(() => rmSync(folder, { recursive: true, force: true }));

const required = (type: TypeSpec): FieldSpec => ({ type, optional: false });
const optional = (type: TypeSpec): FieldSpec => ({ type, optional: true });
const problem = (text: string, field: FieldSpec) => inputProblem(text, field, { name: "x", folder });

describe("the prompt of each input type", () => {
  it("asks numbers, dates and text as text, booleans and literals as a pick", () => {
    assert.deepEqual(promptFor(required({ kind: "number" })), { kind: "number" });
    assert.deepEqual(promptFor(required({ kind: "string" })), { kind: "text" });
    assert.deepEqual(promptFor(required({ kind: "date" })), { kind: "date" });
    assert.deepEqual(promptFor(required({ kind: "boolean" })), { kind: "choice", options: ["true", "false"] });
    const mode: TypeSpec = { kind: "union", options: [{ kind: "literal", value: "fast" }, { kind: "literal", value: "exact" }, { kind: "null" }] };
    assert.deepEqual(promptFor(required(mode)), { kind: "choice", options: ["fast", "exact", "null"] });
  });

  it("asks File and Dir as paths, arrays and records as JSON", () => {
    assert.deepEqual(promptFor(required({ kind: "dir" })), { kind: "path", target: "dir" });
    assert.deepEqual(promptFor(required({ kind: "file" })), { kind: "path", target: "file" });
    assert.deepEqual(promptFor(required({ kind: "array", items: { kind: "number" } })), { kind: "json" });
    assert.deepEqual(promptFor(required({ kind: "record", fields: { a: required({ kind: "string" }) } })), { kind: "json" });
    assert.deepEqual(promptFor(required({ kind: "union", options: [{ kind: "array", items: { kind: "string" } }, { kind: "null" }] })), { kind: "json" });
  });

  it("reads `T | undefined` as an optional T, and unlike unions as mixed text", () => {
    const maybeNumber: FieldSpec = required({ kind: "union", options: [{ kind: "number" }, { kind: "undefined" }] });
    assert.deepEqual(promptFor(maybeNumber), { kind: "number" });
    assert.equal(mayBeLeftOut(maybeNumber), true);
    assert.equal(mayBeLeftOut(required({ kind: "number" })), false);
    assert.deepEqual(promptFor(required({ kind: "union", options: [{ kind: "number" }, { kind: "string" }] })), { kind: "mixed" });
  });
});

describe("validation of a typed value", () => {
  it("takes numbers as the CLI reads them and names what it got otherwise", () => {
    assert.equal(problem("3", required({ kind: "number" })), undefined);
    assert.equal(problem("-1.5e3", required({ kind: "number" })), undefined);
    assert.equal(problem("three", required({ kind: "number" })), 'input "x" expects a number, got "three"');
  });

  it("wants required inputs, lets optional ones and required strings be empty", () => {
    assert.equal(problem("", required({ kind: "number" })), 'input "x" is required');
    assert.equal(problem("", optional({ kind: "number" })), undefined);
    assert.equal(problem("", required({ kind: "string" })), undefined);
  });

  it("validates JSON against the type, naming the field inside it", () => {
    const rows: FieldSpec = required({ kind: "array", items: { kind: "record", fields: { id: required({ kind: "number" }), tag: optional({ kind: "string" }) } } });
    assert.equal(problem('[{"id": 1}, {"id": 2, "tag": "b"}]', rows), undefined);
    assert.equal(problem('[{"id": 1}, {"id": "2"}]', rows), 'x[1].id: expected a number, got "2"');
    assert.equal(problem('[{"id": 1, "extra": true}]', rows), "x[0].extra: unexpected field");
    assert.equal(problem('[{"tag": "a"}]', rows), "x[0].id: missing");
    assert.match(problem("[1, 2", rows) ?? "", /^input "x" is JSON: /);
  });

  it("checks that a File or Dir path exists and is of its kind, relative to the workspace folder", () => {
    assert.equal(problem("data", required({ kind: "dir" })), undefined);
    assert.equal(problem(join(folder, "data/one.csv"), required({ kind: "file" })), undefined);
    assert.equal(problem("data/one.csv", required({ kind: "dir" })), `input "x" expects a folder, and ${join(folder, "data/one.csv")} is a file`);
    assert.equal(problem("nowhere", required({ kind: "dir" })), `input "x": there is no folder at ${join(folder, "nowhere")}`);
  });

  it("takes a value of a union when any option reads it", () => {
    const numberOrDate: FieldSpec = required({ kind: "union", options: [{ kind: "number" }, { kind: "date" }] });
    assert.equal(problem("12", numberOrDate), undefined);
    assert.equal(problem("2024-05-01", numberOrDate), undefined);
    assert.equal(problem("soon", numberOrDate), 'input "x" expects number | Date, and "soon" reads as none of them');
  });
});

describe("CLI arguments of the values", () => {
  it("passes each value as --name=value in declared order, leaving out empty optional ones", () => {
    const inputs: Record<string, FieldSpec> = {
      data: required({ kind: "dir" }),
      batchSize: optional({ kind: "number" }),
      label: required({ kind: "string" }),
      flag: required({ kind: "boolean" }),
    };
    assert.deepEqual(inputArgs({ flag: "false", label: "--odd", batchSize: "", data: "fraud/data" }, inputs), ["--data=fraud/data", "--label=--odd", "--flag=false"]);
    assert.deepEqual(inputArgs({ data: "d", batchSize: "500", label: "", flag: "true" }, inputs), ["--data=d", "--batchSize=500", "--label=", "--flag=true"]);
  });
});
