// Scanning the API's encoded syntax trees (syntax-scan.ts) must find what a
// walk of the same tree finds: under every node of every sample and fixture,
// for kinds that nest (calls in calls, functions in functions) and kinds that
// do not, none of them in JSDoc comments (which the walk leaves out).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, it } from "node:test";
import { callsWithArguments, is, nodesOfKind, SyntaxKind, TypeScriptSession, type Node } from "./ts-api.ts";

const repo = resolve(import.meta.dirname, "..");

let session: TypeScriptSession;
before(() => {
  session = new TypeScriptSession({ cwd: repo });
});
after(() => session.close());

function workflowFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name))
    .filter((file) => !/[\\/]node_modules[\\/]/.test(file) && /from\s+["']aloft["']/.test(readFileSync(file, "utf8")))
    .sort();
}

/** What a walk finds under `root` (JSDoc aside, as the API's walk leaves it). */
function walked(root: Node, kinds: readonly SyntaxKind[]): Node[] {
  const found: Node[] = [];
  const visit = (node: Node): void => {
    if (kinds.includes(node.kind)) found.push(node);
    node.forEachChild(visit);
  };
  root.forEachChild(visit);
  return found;
}

function everyNodeOf(sourceFile: Node): Node[] {
  return [sourceFile, ...walked(sourceFile, Object.values(SyntaxKind).filter((k) => typeof k === "number"))];
}

const tests: [string, SyntaxKind[]][] = [
  ["calls", [SyntaxKind.CallExpression]],
  ["identifiers", [SyntaxKind.Identifier]],
  ["functions and returns", [SyntaxKind.ArrowFunction, SyntaxKind.FunctionExpression, SyntaxKind.ReturnStatement]],
  ["type references and arrays", [SyntaxKind.TypeReference, SyntaxKind.ArrayType]],
];

it("finds under each node what a walk of it finds, in the same order", () => {
  const files = [...workflowFiles(join(repo, "samples")), ...workflowFiles(join(repo, "test/fixtures/compiler"))];
  assert.ok(files.length > 10, `samples and fixtures found: ${files.length}`);
  let compared = 0;
  for (const opened of session.openAll(files)) {
    const everyNode = everyNodeOf(opened.sourceFile);
    for (const [name, kinds] of tests) {
      for (const node of everyNode) {
        const expected = walked(node, kinds);
        assert.deepEqual(nodesOfKind(node, ...kinds), expected, `${name} under the ${SyntaxKind[node.kind]} at ${node.pos} of ${opened.file}`);
        compared += expected.length;
      }
    }
  }
  assert.ok(compared > 1000, `nodes compared: ${compared}`);
});

it("counts each call's arguments off the encoded tree as the API's own nodes count them", () => {
  const files = [...workflowFiles(join(repo, "samples")), ...workflowFiles(join(repo, "test/fixtures/compiler"))];
  let compared = 0;
  // Each way a call's record varies before its arguments.
  const varieties = new Set<string>();
  for (const opened of session.openAll(files)) {
    const everyNode = everyNodeOf(opened.sourceFile);
    const calls = everyNode.filter((node) => is.isCallExpression(node));
    for (const call of calls) {
      if (!call.arguments.length) varieties.add("no arguments");
      if (call.typeArguments?.length) varieties.add("type arguments");
      if (call.questionDotToken) varieties.add("optional call");
    }
    for (const count of [0, 1, 2, 3]) {
      for (const node of [opened.sourceFile, ...calls]) {
        const expected = walked(node, [SyntaxKind.CallExpression]).filter((call) => is.isCallExpression(call) && call.arguments.length >= count);
        assert.deepEqual(callsWithArguments(node, count), expected, `calls with ${count}+ arguments under the ${SyntaxKind[node.kind]} at ${node.pos} of ${opened.file}`);
        compared += expected.length;
      }
    }
  }
  assert.ok(compared > 1000, `calls compared: ${compared}`);
  assert.deepEqual([...varieties].sort(), ["no arguments", "optional call", "type arguments"]);
});
