// What the session changes of the API's objects must not change what they
// say: strings of syntax trees read through the session's ASCII shortcut
// (decodeAsciiQuickly) and the opened files' names kept once read.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { nodesOfKind, SyntaxKind, TypeScriptSession, type ast } from "./ts-api.ts";

let dir: string;
let session: TypeScriptSession;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "aloft-ts-api-"));
  session = new TypeScriptSession({ cwd: dir });
});
after(() => {
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

it("reads names and literals as written, ASCII or not, a lone surrogate included", () => {
  const file = join(dir, "strings.ts");
  writeFileSync(file, ['export const plain = "ascii only";', 'export const café = "naïve 😀 ünïcode";', 'export const lone = "\\uD800 alone";', ""].join("\n"));
  const opened = session.open(file);
  const names = nodesOfKind(opened.sourceFile, SyntaxKind.VariableDeclaration).map((d) => ((d as ast.VariableDeclaration).name as ast.Identifier).text);
  const literals = nodesOfKind(opened.sourceFile, SyntaxKind.StringLiteral).map((s) => (s as ast.StringLiteral).text);
  assert.deepEqual(names, ["plain", "café", "lone"]);
  assert.deepEqual(literals, ["ascii only", "naïve 😀 ünïcode", "\uD800 alone"]);
  assert.equal(opened.sourceFile.fileName, file);
  assert.equal(opened.sourceFile.fileName, opened.sourceFile.fileName, "read twice, the same");
});
