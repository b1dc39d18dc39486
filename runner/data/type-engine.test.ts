import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Dir, File } from "../../sdk/file.ts";
import { BlobStore } from "../blobs/blob-store.ts";
import { AloftError } from "../../compiler/errors.ts";
import { decode, encode, type DataContext } from "./type-engine.ts";
import type { WireValue } from "./wire.ts";

const work = mkdtempSync(join(tmpdir(), "aloft-types-"));
const blobs = new BlobStore(join(work, "blobs"));
const output: DataContext = { blobs, entity: "fit", root: "output" };

async function roundTrip(value: unknown): Promise<{ wire: WireValue; back: unknown }> {
  const wire = await encode(value, output);
  // Through JSON, as the store and the worker channel carry it.
  const back = await decode(JSON.parse(JSON.stringify(wire)) as WireValue, { blobs, entity: "next", root: 'input "x"' });
  return { wire, back };
}

function notData(field: string, what: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof AloftError, String(error));
    assert.equal(error.info.code, "DATA_INVALID");
    assert.equal(error.info.field, field);
    assert.equal(error.info.entity, "fit");
    assert.match(error.message, what);
    return true;
  };
}

describe("encode and decode", () => {
  it("keeps primitives as they are", async () => {
    for (const value of ["text", "", 0, -2.5, 1e21, true, false, null]) {
      const { wire, back } = await roundTrip(value);
      assert.equal(wire, value);
      assert.equal(back, value);
    }
  });

  it("turns undefined into null, except in records where the field is left out", async () => {
    assert.equal((await roundTrip(undefined)).wire, null);
    const { wire, back } = await roundTrip({ a: 1, b: undefined, c: [undefined, 2] });
    assert.deepEqual(wire, { a: 1, c: [null, 2] });
    assert.deepEqual(back, { a: 1, c: [null, 2] });
    assert.deepEqual((await roundTrip([1, , 3])).wire, [1, null, 3]);
  });

  it("carries dates as ISO strings", async () => {
    const date = new Date("2024-03-01T12:30:00.250Z");
    const { wire, back } = await roundTrip({ at: date });
    assert.deepEqual(wire, { at: { $date: "2024-03-01T12:30:00.250Z" } });
    assert.ok((back as { at: Date }).at instanceof Date);
    assert.equal((back as { at: Date }).at.getTime(), date.getTime());
  });

  it("uploads files and gives them back from the blob store", async () => {
    writeFileSync(join(work, "model.bin"), "weights");
    const { wire, back } = await roundTrip({ model: new File(join(work, "model.bin"), "model-v1.bin") });
    const ref = (wire as { model: { $file: { digest: string; name: string; size: number } } }).model.$file;
    assert.equal(ref.name, "model-v1.bin");
    assert.equal(ref.size, 7);
    assert.match(ref.digest, /^sha256:[0-9a-f]{64}$/);
    const file = (back as { model: File }).model;
    assert.ok(file instanceof File);
    assert.equal(file.name, "model-v1.bin");
    assert.equal(file.path, blobs.pathOf(ref.digest));
    assert.equal(await file.text(), "weights");
    // Passing a received file on stores nothing new and keeps the reference.
    assert.deepEqual(await encode(file, output), { $file: ref });
  });

  it("uploads directories and materializes them with their names", async () => {
    const source = join(work, "images");
    mkdirSync(join(source, "cats"), { recursive: true });
    writeFileSync(join(source, "cats", "a.png"), "meow");
    writeFileSync(join(source, "index.txt"), "cats/a.png");
    const { wire, back } = await roundTrip([new Dir(source)]);
    const ref = (wire as [{ $dir: { digest: string; name: string } }])[0].$dir;
    assert.equal(ref.name, "images");
    const dir = (back as Dir[])[0]!;
    assert.ok(dir instanceof Dir);
    assert.equal(dir.name, "images");
    assert.equal(readFileSync(join(dir.path, "cats", "a.png"), "utf8"), "meow");
    assert.deepEqual((await dir.files()).map((f) => f.name), ["a.png", "index.txt"]);
    assert.deepEqual(await encode(dir, output), { $dir: ref });
  });

  it("keeps nested records and arrays, null-prototype objects and odd keys", async () => {
    const bare = Object.assign(Object.create(null) as object, { k: "v" });
    const value = JSON.parse('{"__proto__": {"x": 1}, "list": [[1, 2], {"deep": [true]}], "with space": "s"}') as object;
    const { wire, back } = await roundTrip({ ...value, bare });
    assert.deepEqual(Object.keys(wire as object), ["__proto__", "list", "with space", "bare"]);
    assert.equal(Object.getPrototypeOf(back), Object.prototype);
    assert.deepEqual((back as Record<string, unknown>)["list"], [[1, 2], { deep: [true] }]);
    assert.deepEqual(Object.getOwnPropertyDescriptor(back, "__proto__")?.value, { x: 1 });
    assert.deepEqual((back as { bare: unknown }).bare, { k: "v" });
  });

  it("shares a value referenced twice without calling it a cycle", async () => {
    const shared = { n: 1 };
    assert.deepEqual((await roundTrip({ a: shared, b: [shared, shared] })).wire, { a: { n: 1 }, b: [{ n: 1 }, { n: 1 }] });
  });
});

describe("what is not data", () => {
  class Model {
    weights = [1];
  }
  const cases: Array<[string, unknown, string, RegExp]> = [
    ["a function", { model: { fn: () => 1 } }, "output.model.fn", /is a function; tasks return data: strings, numbers, booleans, null, arrays, plain objects, Date, File and Dir$/],
    ["a symbol", [Symbol("s")], "output[0]", /is a symbol/],
    ["a bigint", { n: 10n }, "output.n", /is a bigint/],
    ["NaN", { score: NaN }, "output.score", /is NaN/],
    ["Infinity", { model: { weights: [1, 2, 3, Infinity] } }, "output.model.weights[3]", /is Infinity/],
    ["-Infinity", -Infinity, "output", /is -Infinity/],
    ["a Map", { m: new Map() }, "output.m", /is a Map/],
    ["a Set", { s: new Set() }, "output.s", /is a Set \(use an array\)/],
    ["a Buffer", { b: Buffer.from("x") }, "output.b", /is a Buffer/],
    ["a Uint8Array", { "odd key": new Uint8Array(2) }, 'output["odd key"]', /is a Uint8Array/],
    ["a class instance", { model: new Model() }, "output.model", /is an instance of class Model/],
    ["a class", { cls: Model }, "output.cls", /is a class/],
    ["a promise", { later: Promise.resolve(1) }, "output.later", /is a Promise \(await it first\)/],
    ["an invalid date", { at: new Date("nope") }, "output.at", /is an invalid Date/],
    ["an Error", [new TypeError("x")], "output[0]", /is an Error \(TypeError\)/],
  ];
  for (const [name, value, field, message] of cases) {
    it(`refuses ${name}, naming ${field}`, async () => {
      await assert.rejects(encode(value, output), notData(field, new RegExp(`^${escape(field)} of task "fit" ${message.source}`)));
    });
  }

  it("refuses cycles, naming where the value comes back", async () => {
    const model: Record<string, unknown> = { layers: [] };
    (model["layers"] as unknown[]).push({ parent: model });
    await assert.rejects(encode({ model }, output), notData("output.model.layers[0].parent", /is output\.model again, which contains it \(a cycle\)/));
  });

  it("words constants and inputs without talking about returns", async () => {
    await assert.rejects(
      encode({ cb: () => 0 }, { blobs, entity: "train", entityKind: "workflow", root: "fit-2.options" }),
      (error: unknown) => error instanceof AloftError && error.message === 'fit-2.options.cb of workflow "train" is a function; only data passes between tasks: strings, numbers, booleans, null, arrays, plain objects, Date, File and Dir',
    );
  });

  it("says when a File or Dir points nowhere, or at the wrong kind of thing", async () => {
    const gone = join(work, "gone.csv");
    await assert.rejects(encode({ data: new File(gone) }, output), notData("output.data", new RegExp(`is a File whose path ${escape(gone)} does not exist`)));
    await assert.rejects(encode(new File(work), output), notData("output", /is a directory \(use Dir/));
    writeFileSync(join(work, "plain.txt"), "x");
    await assert.rejects(encode([new Dir(join(work, "plain.txt"))], output), notData("output[0]", /is not a directory \(use File/));
  });

  it("refuses records that would read back as File, Dir or Date references", async () => {
    await assert.rejects(encode({ x: { $date: "2024-01-01" } }, output), notData("output.x", /only field is "\$date"/));
    assert.deepEqual(await encode({ $date: "d", other: 1 }, output), { $date: "d", other: 1 });
  });
});

describe("decoding errors", () => {
  it("names the field whose blob is missing", async () => {
    const stored = await blobs.putBytes("soon gone", "gone.txt");
    const path = blobs.pathOf(stored.$file.digest);
    rmSync(path);
    await assert.rejects(decode({ data: [stored] }, { blobs, entity: "score", root: 'input "batch"' }), (error: unknown) => {
      assert.ok(error instanceof AloftError);
      assert.equal(error.info.code, "BLOB_MISSING");
      assert.equal(error.info.field, 'input "batch".data[0]');
      assert.match(error.message, new RegExp(`^input "batch".data\\[0\\] of task "score": blob ${stored.$file.digest} is not in the blob store`));
      return true;
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
