import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TypeSpec } from "../../compiler/type-spec.ts";
import { BlobStore } from "../blobs/blob-store.ts";
import { AloftError } from "../../compiler/errors.ts";
import { parseCliValue } from "./cli-input.ts";
import { isWireDir, isWireFile, type WireValue } from "./wire.ts";

const work = mkdtempSync(join(tmpdir(), "aloft-cli-"));
const blobs = new BlobStore(join(work, ".aloft", "blobs"));
const train = { name: "train", kind: "workflow" as const };

const num: TypeSpec = { kind: "number" };
const str: TypeSpec = { kind: "string" };
const nul: TypeSpec = { kind: "null" };
const file: TypeSpec = { kind: "file" };
const dir: TypeSpec = { kind: "dir" };
const union = (...options: TypeSpec[]): TypeSpec => ({ kind: "union", options });

const parse = (text: string, spec: TypeSpec, input = "n") => parseCliValue(text, spec, input, blobs, train);

async function fails(text: string, spec: TypeSpec, message: string | RegExp, input = "n"): Promise<void> {
  await assert.rejects(parse(text, spec, input), (error: unknown) => {
    assert.ok(error instanceof AloftError, String(error));
    assert.equal(error.info.code, "INPUT_INVALID");
    assert.equal(error.info.field, input);
    assert.equal(error.info.entity, "train");
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

describe("parseCliValue", () => {
  let cwd: string;
  before(() => {
    cwd = process.cwd();
    mkdirSync(join(work, "data", "images"), { recursive: true });
    writeFileSync(join(work, "data", "train.csv"), "a,b\n1,2\n");
    writeFileSync(join(work, "data", "images", "cat.png"), "meow");
    process.chdir(work);
  });
  after(() => process.chdir(cwd));

  it("reads numbers, and refuses what is not one", async () => {
    assert.equal(await parse("1e3", num), 1000);
    assert.equal(await parse("-2.5", num), -2.5);
    assert.equal(await parse("42", num), 42);
    assert.equal(await parse(".5", num), 0.5);
    await fails("abc", num, 'input "n" of workflow "train" expects number, got "abc"');
    for (const text of ["", "1.2.3", "0x10", "Infinity", "NaN", "1e"]) await fails(text, num, /expects number, got/);
  });

  it("reads booleans as true or false only", async () => {
    assert.equal(await parse("true", { kind: "boolean" }), true);
    assert.equal(await parse("false", { kind: "boolean" }), false);
    await fails("yes", { kind: "boolean" }, 'input "n" of workflow "train" expects boolean, got "yes"');
  });

  it("takes strings as given", async () => {
    assert.equal(await parse("  spaced 42 ", str), "  spaced 42 ");
    assert.equal(await parse("", str), "");
    assert.equal(await parse("null", str), "null");
  });

  it("reads null, and literals", async () => {
    assert.equal(await parse("null", nul), null);
    assert.equal(await parse("gpu", { kind: "literal", value: "gpu" }), "gpu");
    assert.equal(await parse("2", { kind: "literal", value: 2 }), 2);
    await fails("cpu", { kind: "literal", value: "gpu" }, 'input "n" of workflow "train" expects "gpu", got "cpu"');
  });

  it("reads ISO dates", async () => {
    assert.deepEqual(await parse("2024-05-01", { kind: "date" }), { $date: "2024-05-01T00:00:00.000Z" });
    assert.deepEqual(await parse("2024-05-01T12:30:00+02:00", { kind: "date" }), { $date: "2024-05-01T10:30:00.000Z" });
    await fails("yesterday", { kind: "date" }, 'input "n" of workflow "train" expects Date, got "yesterday": dates are ISO 8601, like 2024-05-01 or 2024-05-01T12:00:00Z');
    await fails("2024-13-45", { kind: "date" }, /expects Date/);
  });

  it("reads arrays and records as JSON, validated", async () => {
    const record: TypeSpec = { kind: "record", fields: { lr: { type: num, optional: false }, tag: { type: str, optional: true } } };
    assert.deepEqual(await parse("[1, 2.5, -3]", { kind: "array", items: num }), [1, 2.5, -3]);
    assert.deepEqual(await parse('{"lr": 0.1}', record), { lr: 0.1 });
    assert.deepEqual(await parse('{"a": 1, "b": 2}', { kind: "map", values: num }), { a: 1, b: 2 });
    await fails('[1, "2"]', { kind: "array", items: num }, 'input "n" of workflow "train" expects number[], got "[1, \\"2\\"]": n[1]: expected number, got "2"');
    await fails('{"lr": 0.1, "extra": 1}', record, /n\.extra: unexpected field \(declared fields: lr, tag\)/);
    await fails("{lr: 0.1}", record, /expects \{ lr: number; tag\?: string \}, got "\{lr: 0\.1\}": give it as JSON \(/);
  });

  it("reads dates, files and dirs inside JSON by the declared type", async () => {
    const spec: TypeSpec = {
      kind: "record",
      fields: { since: { type: { kind: "date" }, optional: false }, inputs: { type: { kind: "array", items: file }, optional: false } },
    };
    const wire = (await parse('{"since": "2024-01-01", "inputs": ["data/train.csv"]}', spec)) as { since: WireValue; inputs: WireValue[] };
    assert.deepEqual(wire.since, { $date: "2024-01-01T00:00:00.000Z" });
    assert.ok(isWireFile(wire.inputs[0]));
    await fails('{"since": "2024-01-01", "inputs": ["data/nope.csv"]}', spec, `input "n" of workflow "train" expects { since: Date; inputs: File[] }: n.inputs[0]: ${join(work, "data", "nope.csv")} does not exist`);
  });

  it("uploads files and dirs from paths relative to the current directory", async () => {
    const wire = await parse("data/train.csv", file, "data");
    assert.ok(isWireFile(wire));
    assert.deepEqual(wire.$file.name, "train.csv");
    assert.ok(blobs.has(wire.$file.digest));
    const images = await parse("data/images", dir, "images");
    assert.ok(isWireDir(images));
    assert.equal(images.$dir.name, "images");
    assert.deepEqual((await blobs.readManifest(images.$dir.digest)).entries.map((e) => e.path), ["cat.png"]);
  });

  it("names the input and the path when a path is missing or of the wrong kind", async () => {
    await fails("data/missing.csv", file, `input "data" of workflow "train" expects File: ${join(work, "data", "missing.csv")} does not exist`, "data");
    await fails("data/images", file, `input "data" of workflow "train" expects File: ${join(work, "data", "images")} is a directory; pass a file (or declare the input as Dir)`, "data");
    await fails("data/train.csv", dir, `input "out" of workflow "train" expects Dir: ${join(work, "data", "train.csv")} is a file, not a directory (or declare the input as File)`, "out");
  });

  it("tries union options from the most particular reading to plain strings", async () => {
    assert.equal(await parse("null", union(num, nul)), null);
    assert.equal(await parse("42", union(str, num)), 42);
    assert.equal(await parse("forty", union(str, num)), "forty");
    assert.equal(await parse("true", union(str, { kind: "boolean" })), true);
    assert.equal(await parse("auto", union({ kind: "literal", value: "auto" }, num)), "auto");
    assert.equal(await parse("7", union({ kind: "literal", value: "auto" }, num)), 7);
    assert.deepEqual(await parse("[1]", union({ kind: "array", items: num }, str)), [1]);
    assert.ok(isWireFile(await parse("data/train.csv", union(file, str))));
    assert.equal(await parse("data/none.csv", union(file, str)), "data/none.csv");
    assert.ok(isWireDir(await parse("data/images", union(file, dir))));
    assert.equal(await parse("3", union(num, { kind: "undefined" })), 3);
    await fails("abc", union(num, nul), 'input "n" of workflow "train" expects number | null, got "abc"');
    await fails('["x"]', union({ kind: "array", items: num }, nul), /expects number\[\] \| null, got "\[\\"x\\"\]": n\[0\]: expected number, got "x"$/);
  });

  it("reads any as JSON, falling back to the text", async () => {
    const any: TypeSpec = { kind: "any" };
    assert.deepEqual(await parse('{"a": [1]}', any), { a: [1] });
    assert.equal(await parse("3", any), 3);
    assert.equal(await parse("null", any), null);
    assert.equal(await parse("hello world", any), "hello world");
  });

  it("words messages without an owner when none is given", async () => {
    await assert.rejects(parseCliValue("x", num, "n", blobs), { message: 'input "n" expects number, got "x"' });
  });
});
