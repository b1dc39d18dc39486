// Called outside a workflow, tasks and workflows just run: that is how users
// unit-test them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { definitionOf, dynamic, fixed, map, task, workflow } from "./entity.ts";
import { File } from "./file.ts";

const double = task(async ({ x }: { x: number }) => x * 2);
const stats = task({ retries: 1 }, async ({ xs }: { xs: number[] }) => ({ total: xs.reduce((a, b) => a + b, 0), count: xs.length }));

describe("direct calls", () => {
  it("runs a task and keeps its declaration", async () => {
    assert.equal(await double({ x: 21 }), 42);
    assert.deepEqual(definitionOf(stats)?.options, { retries: 1 });
    assert.equal(definitionOf(stats)?.kind, "task");
  });

  it("awaits promised inputs and exposes named outputs", async () => {
    const s = stats({ xs: [1, 2, 3] });
    assert.equal(await s.total, 6);
    assert.equal(await double({ x: s.count }), 6);
  });

  it("runs a workflow's tasks and settles a record of outputs", async () => {
    const wf = workflow(({ xs }: { xs: number[] }) => {
      const s = stats({ xs });
      return { doubled: double({ x: s.total }), count: s.count };
    });
    assert.deepEqual(await wf({ xs: [2, 3] }), { doubled: 10, count: 2 });
  });

  it("runs a dynamic with its real inputs", async () => {
    const sum = dynamic(async ({ n }: { n: number }) => {
      let total: Promise<number> | number = 1;
      for (let i = 0; i < n; i++) total = double({ x: total });
      return total;
    });
    assert.equal(await sum({ n: 3 }), 8);
  });

  it("maps with fixed inputs, concurrency and minSuccessRatio", async () => {
    const scale = task(async ({ x, k }: { x: number; k: number }) => {
      if (x < 0) throw new Error("negative");
      return x * k;
    });
    assert.deepEqual(await map(scale, { concurrency: 2 })({ x: [1, 2, 3], k: fixed(10) }), [10, 20, 30]);
    assert.deepEqual(await map(scale, { minSuccessRatio: 0.5 })({ x: [1, -1], k: fixed(2) }), [2, null]);
    await assert.rejects(map(scale)({ x: [1, -1], k: fixed(2) }), /negative/);
  });

  it("writes files to a scratch folder outside the runner", async () => {
    const write = task(async ({ text }: { text: string }) => File.write("out/note.txt", text));
    const file = await write({ text: "hello" });
    assert.equal(file.name, "note.txt");
    assert.equal(await file.text(), "hello");
  });

  it("refuses map over something that is not a task", () => {
    assert.throws(() => map((() => 1) as never), /must be a task/);
  });
});

describe("scratch space outside the runner", () => {
  it("gives every task call its own folder", async () => {
    const write = task(async ({ text }: { text: string }) => File.write("same-name.txt", text));
    const [a, b] = await Promise.all([write({ text: "a" }), write({ text: "b" })]);
    assert.notEqual(a.path, b.path);
    assert.equal(await a.text(), "a");
    assert.equal(await b.text(), "b");
  });
});
