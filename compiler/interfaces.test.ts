// Reads real fixture files with the real TypeScript 7 checker (one shared
// tsgo process); fixtures import "aloft", which resolves to this repo's sdk/.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { AloftError } from "./errors.ts";
import type { CompilerDiagnostic } from "./diagnostics.ts";
import { readEntities, type EntityReading } from "./interfaces.ts";
import { TypeScriptSession } from "./ts-api.ts";
import { formatType, type EntityInterface, type TypeSpec } from "./type-spec.ts";

const fixtures = resolve(import.meta.dirname, "../test/fixtures/compiler");
const fixture = (name: string) => join(fixtures, name);

const STRING: TypeSpec = { kind: "string" };
const NUMBER: TypeSpec = { kind: "number" };
const BOOLEAN: TypeSpec = { kind: "boolean" };
const required = (type: TypeSpec) => ({ type, optional: false });

let session: TypeScriptSession;
before(() => {
  session = new TypeScriptSession();
});
after(() => session.close());

function entity(reading: EntityReading, name: string): EntityInterface {
  const found = reading.entities.find((e) => e.name === name);
  assert.ok(found, `no entity "${name}" in ${reading.entities.map((e) => e.name).join(", ")}`);
  return found;
}

/** `line:column-endLine:endColumn CODE` for compact comparisons. */
function where(d: CompilerDiagnostic): string {
  return `${d.line}:${d.column}-${d.endLine}:${d.endColumn} ${d.code}`;
}

describe("type mapping", () => {
  let reading: EntityReading;
  before(() => {
    reading = readEntities(fixture("kinds.ts"), session);
  });

  it("type-checks the fixture cleanly, warning only of the input typed any", () => {
    assert.deepEqual(
      reading.diagnostics.map((d) => [d.line, d.severity, d.code, d.message.split(":")[0]]),
      [[23, "warning", "ALOFT_LOOSE_TYPE", 'input "whatever" of task "primitives" is any']],
    );
  });

  it("maps primitives, literals and unions, folding true | false into boolean", () => {
    const { inputs, output } = entity(reading, "primitives");
    assert.deepEqual(inputs, {
      text: required(STRING),
      count: required(NUMBER),
      flag: required(BOOLEAN),
      nothing: required({ kind: "null" }),
      missing: required({ kind: "undefined" }),
      mode: required({ kind: "union", options: [{ kind: "literal", value: "fast" }, { kind: "literal", value: "slow" }] }),
      answer: required({ kind: "literal", value: 42 }),
      yes: required({ kind: "literal", value: true }),
      maybe: required({ kind: "union", options: [STRING, { kind: "null" }] }),
      mixed: required({ kind: "union", options: [STRING, BOOLEAN] }),
      whatever: required({ kind: "any" }),
    });
    assert.deepEqual(output, NUMBER);
  });

  it("maps Date, File, Dir, arrays, tuples, records, maps and optional inputs", () => {
    const { inputs } = entity(reading, "objects");
    assert.deepEqual(inputs, {
      when: required({ kind: "date" }),
      report: required({ kind: "file" }),
      folder: required({ kind: "dir" }),
      names: required({ kind: "array", items: STRING }),
      frozen: required({ kind: "array", items: NUMBER }),
      // TypeSpec has no tuples: an array of any of the element types.
      pair: required({ kind: "array", items: { kind: "union", options: [STRING, NUMBER] } }),
      point: required({ kind: "record", fields: { x: required(NUMBER), y: required(NUMBER) } }),
      scores: required({ kind: "map", values: NUMBER }),
      label: { type: STRING, optional: true },
      nested: {
        type: { kind: "record", fields: { deep: required({ kind: "record", fields: { values: required({ kind: "array", items: BOOLEAN }) } }) } },
        optional: true,
      },
    });
  });

  it("reads a record output, awaiting the task's promise", () => {
    assert.equal(formatType(entity(reading, "objects").output), '{ ok: true; when: Date; files: File[] }');
  });

  it("reads an interface as a record", () => {
    assert.deepEqual(entity(reading, "withInterface").inputs, {
      size: required({ kind: "record", fields: { width: required(NUMBER), height: required(NUMBER) } }),
    });
  });

  it("cuts recursive types with any, and reads enums, brands, mapped and template types", () => {
    const { inputs } = entity(reading, "shapes");
    assert.equal(formatType(inputs.tree!.type), "{ value: number; children: any[] }");
    assert.equal(inputs.data!.type.kind, "union"); // aloft's own recursive `Data`
    assert.equal(formatType(inputs.color!.type), '"red" | "green"');
    assert.deepEqual(inputs.id!.type, STRING);
    assert.equal(formatType(inputs.patch!.type), "{ x?: number; y?: number }");
    assert.deepEqual(inputs.at!.type, STRING);
  });
});

describe("entities", () => {
  let reading: EntityReading;
  before(() => {
    reading = readEntities(fixture("entities.ts"), session);
  });

  it("finds exported top-level consts made by task, workflow and dynamic, with their lines", () => {
    assert.deepEqual(
      reading.entities.map((e) => [e.line, e.kind, e.name]),
      [
        [6, "task", "greet"],
        [8, "task", "increment"],
        [10, "task", "measure"],
        [12, "task", "shout"],
        [14, "workflow", "pipeline"],
        [19, "dynamic", "countdown"],
        [27, "task", "renamed"],
      ],
    );
  });

  it("gives a task without a parameter no inputs", () => {
    assert.deepEqual(entity(reading, "greet").inputs, {});
    assert.deepEqual(entity(reading, "greet").output, STRING);
  });

  it("follows aliased, namespace and re-exported imports of the SDK", () => {
    assert.deepEqual(entity(reading, "increment").inputs, { n: required(NUMBER) });
    assert.equal(formatType(entity(reading, "measure").output), "{ length: number; empty: boolean }");
    assert.deepEqual(entity(reading, "shout").inputs, { s: required(STRING) });
  });

  it("settles the promised outputs a workflow or dynamic returns", () => {
    assert.equal(formatType(entity(reading, "pipeline").output), "{ next: number; length: number }");
    assert.deepEqual(entity(reading, "countdown").output, NUMBER);
  });

  it("names an entity by its export, ignores what is not exported and warns about let", () => {
    const names = reading.entities.map((e) => e.name);
    assert.ok(!names.includes("hidden") && !names.includes("later") && !names.includes("mutable"));
    assert.deepEqual(reading.diagnostics.map(where), ["30:12-30:19 ALOFT_ENTITY_NOT_CONST"]);
    assert.match(reading.diagnostics[0]!.message, /"mutable" is a task but not a top-level const/);
  });

  it("reads entities re-exported from other files, at their export in this file", () => {
    const reexports = readEntities(fixture("reexports.ts"), session);
    assert.deepEqual(
      reexports.entities.map((e) => [e.line, e.name]),
      [[2, "plusOne"], [3, "primitives"], [3, "objects"], [3, "withInterface"], [3, "shapes"]],
    );
    assert.deepEqual(entity(reexports, "plusOne").inputs, { n: required(NUMBER) });
    assert.deepEqual(reexports.diagnostics, []);
  });

  it("does not mistake a local function named task for aloft's", () => {
    const impostor = readEntities(fixture("impostor.ts"), session);
    assert.deepEqual(impostor.entities, []);
    assert.deepEqual(impostor.diagnostics, []);
  });
});

describe("diagnostics", () => {
  it("names the entity and field that are not data, at the field", () => {
    const reading = readEntities(fixture("not-data.ts"), session);
    // TypeScript's own errors are expected in the fixture (@ts-expect-error).
    assert.deepEqual(
      reading.diagnostics.map((d) => `${where(d)} ${d.message.split(";")[0]}`),
      [
        '13:26-13:28 ALOFT_NOT_DATA input "cb" of task "fit" is a function',
        '17:20-17:25 ALOFT_NOT_DATA input "model" of task "load" is an instance of class Model',
        '17:34-17:39 ALOFT_NOT_DATA input "index" of task "load" is a Map',
        '17:62-17:65 ALOFT_NOT_DATA input "big" of task "load" is a bigint',
        '17:75-17:80 ALOFT_NOT_DATA input "later" of task "load" is a Promise',
        '17:107-17:113 ALOFT_NOT_DATA input "opts.onDone" of task "load" is a function',
        '20:14-20:23 ALOFT_NOT_DATA the output of task "makeModel" is an instance of class Model',
      ],
    );
    assert.ok(reading.diagnostics.every((d) => d.severity === "error" && d.file === fixture("not-data.ts")));
    assert.deepEqual(entity(reading, "fit").inputs, { cb: required({ kind: "any" }), rate: required(NUMBER) });
  });

  it("reports TypeScript errors of an unsaved buffer at 1-based positions, and follows its edits", () => {
    const file = fixture("unsaved-buffer.ts"); // exists only in the session's overlay
    session.setOverlay(
      file,
      [
        'import { task } from "aloft";',
        "export const double = task(async ({ x }: { x: number }) => x * 2);",
        "const wrong: string = 42;",
        "export const twice = double({ x: 1 });",
      ].join("\n"),
    );
    try {
      const first = readEntities(file, session);
      assert.deepEqual(first.diagnostics.map(where), ["3:7-3:12 TS2322"]);
      assert.equal(first.diagnostics[0]!.message, "Type 'number' is not assignable to type 'string'.");
      assert.deepEqual(first.entities.map((e) => e.name), ["double"]);

      session.setOverlay(file, 'import { task } from "aloft";\nexport const broken = task(async ({ x }: { x: number }) => x *);\n');
      const second = readEntities(file, session);
      assert.deepEqual(second.diagnostics.map(where), ["2:63-2:64 TS1109"]);
    } finally {
      session.deleteOverlay(file);
    }
  });

  it("notices a file edited on disk between two readings", () => {
    const dir = mkdtempSync(join(tmpdir(), "aloft-compiler-"));
    try {
      const file = join(dir, "edited.ts");
      writeFileSync(file, "export const n: number = 1;\n");
      assert.deepEqual(readEntities(file, session).diagnostics, []);
      writeFileSync(file, "export const n: number = 'one';\n");
      assert.deepEqual(readEntities(file, session).diagnostics.map(where), ["1:14-1:15 TS2322"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("explains an unresolved aloft for a file with no tsconfig.json above it", () => {
    const dir = mkdtempSync(join(tmpdir(), "aloft-compiler-"));
    try {
      const file = join(dir, "lone.ts");
      writeFileSync(file, 'import { task } from "aloft";\r\n\r\nexport const a = task(async ({ x }: { x: number }) => x);\r\nconst n: number = "s";\r\n');
      const reading = readEntities(file); // a one-off session of its own
      assert.deepEqual(reading.entities, []);
      assert.deepEqual(reading.diagnostics.map(where), ["1:22-1:29 ALOFT_SDK_NOT_FOUND", "4:7-4:8 TS2322"]);
      assert.match(reading.diagnostics[0]!.message, /cannot find the aloft SDK.*no tsconfig\.json above it/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("throws FILE_NOT_FOUND for a missing file", () => {
    const missing = fixture("no-such-file.ts");
    assert.throws(
      () => readEntities(missing, session),
      (error: unknown) => error instanceof AloftError && error.info.code === "FILE_NOT_FOUND" && error.message.includes(missing),
    );
  });
});
