import assert from "node:assert/strict";
import { it } from "node:test";
import type { EntityInterface } from "../compiler/type-spec.ts";
import { codeLenses } from "./code-lenses.ts";

const text = ["import { task, workflow } from 'aloft';", "export const count = task(async ({ words }: { words: string[] }) => words.length);", "export const flow = workflow(({ words }: { words: string[] }) => count({ words }));"].join("\n");
const count: EntityInterface = { name: "count", kind: "task", inputs: { words: { type: { kind: "array", items: { kind: "string" } }, optional: false } }, output: { kind: "number" }, line: 2 };
const flow: EntityInterface = { ...count, name: "flow", kind: "workflow", line: 3 };

it("gives a task two run lenses and a debug lens, and a workflow a graph lens too, on the entity's name", () => {
  const lenses = codeLenses("/work/flows.ts", text, [count, flow]);
  assert.deepEqual(
    lenses.map((l) => [l.range.start.line, l.range.start.character, l.range.end.character, l.command?.title, l.command?.command]),
    [
      [1, 13, 18, "▶ Run locally", "aloft.runLocally"],
      [1, 13, 18, "☁ Run remote", "aloft.runRemote"],
      [1, 13, 18, "● Debug", "aloft.debug"],
      [2, 13, 17, "▶ Run locally", "aloft.runLocally"],
      [2, 13, 17, "☁ Run remote", "aloft.runRemote"],
      [2, 13, 17, "⎇ Graph", "aloft.showGraph"],
      [2, 13, 17, "● Debug", "aloft.debug"],
    ],
  );
});

it("passes the file, the entity, its kind and its interface as the commands' one argument", () => {
  const [lens] = codeLenses("/work/flows.ts", text, [count]);
  assert.deepEqual(lens?.command?.arguments, [{ file: "/work/flows.ts", entity: "count", kind: "task", interface: { inputs: count.inputs, output: count.output } }]);
});

it("gives a dynamic a graph lens", () => {
  const lenses = codeLenses("/work/flows.ts", text, [{ ...flow, kind: "dynamic" }]);
  assert.deepEqual(lenses.map((l) => l.command?.command), ["aloft.runLocally", "aloft.runRemote", "aloft.showGraph", "aloft.debug"]);
});
