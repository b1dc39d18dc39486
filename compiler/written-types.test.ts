// The TypeSpecs read off written annotations (written-types.ts) must be the
// ones the checker's types give: both readings of every fixture and sample
// are compared, and the fixture of annotation shapes says which are read off
// the syntax at all, so the comparison cannot pass by never using it.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { isFunctionLike } from "./ast-helpers.ts";
import { EntityReader, readEntitiesOfFiles } from "./interfaces.ts";
import { ProjectFacts } from "./project-facts.ts";
import { workflowOutputFromBody } from "./workflow-outputs.ts";
import { is, TypeScriptSession, type Node } from "./ts-api.ts";

const repo = resolve(import.meta.dirname, "..");
const fixture = (name: string) => join(repo, "test/fixtures/compiler", name);

/** Every workflow file (a .ts file importing "aloft") under `dir`. */
function workflowFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ts$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name))
    .filter((file) => !/[\\/]node_modules[\\/]/.test(file) && /from\s+["']aloft["']/.test(readFileSync(file, "utf8")))
    .sort();
}

let session: TypeScriptSession;
before(() => {
  session = new TypeScriptSession({ cwd: repo });
});
after(() => session.close());

describe("types read off written annotations", () => {
  it("are the checker's, for every entity and diagnostic of the fixtures and samples", () => {
    const files = [...workflowFiles(join(repo, "test/fixtures")), ...workflowFiles(join(repo, "samples"))];
    assert.ok(files.includes(fixture("written-types.ts")));
    const written = readEntitiesOfFiles(files, session);
    const checked = readEntitiesOfFiles(files, session, { writtenTypes: false });
    files.forEach((file, i) => {
      assert.deepEqual(written[i]!.entities, checked[i]!.entities, `entities of ${file}`);
      assert.deepEqual(written[i]!.diagnostics, checked[i]!.diagnostics, `diagnostics of ${file}`);
    });
  });

  it("settles the simple shapes from their syntax and leaves the rest to the checker", () => {
    for (const name of ["written-types.ts", "written-types-shadowed.ts"]) {
      const opened = session.open(fixture(name));
      const shared = new ProjectFacts(opened.project);
      const reader = new EntityReader(opened, shared);
      const context = { opened, ...shared, entityCall: (e: Parameters<EntityReader["entityCall"]>[0]) => reader.entityCall(e) };
      for (const statement of opened.sourceFile.statements) {
        if (!is.isVariableStatement(statement)) continue;
        const declaration = statement.declarationList.declarations[0]!;
        const entity = (declaration.name as Node & { text: string }).text;
        const call = declaration.initializer!;
        assert.ok(is.isCallExpression(call));
        const fn = call.arguments[call.arguments.length - 1]!;
        assert.ok(isFunctionLike(fn));
        const annotations = [fn.parameters[0]?.type, fn.type].filter((a) => a !== undefined);
        const specs = annotations.map((a, i) => shared.written.read(a, opened.sourceFile, i === 0 && fn.parameters.length ? 0 : 1));
        if (reader.entityCall(call)?.kind === "workflow") specs.push(workflowOutputFromBody(fn, context));
        if (entity.startsWith("ok")) assert.ok(specs.every((s) => s !== undefined), `${entity} is read off its syntax`);
        else assert.ok(specs.some((s) => s === undefined), `${entity} is left to the checker`);
      }
    }
  });
});
