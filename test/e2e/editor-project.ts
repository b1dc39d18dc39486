/**
 * A user's project for the editor test: the samples, with aloft installed
 * (this checkout), a file with a planted wiring error and one with misspelt
 * options and inputs.
 */
import { copyFileSync, cpSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repo } from "./editor-context.ts";

const WORKSPACE_TSCONFIG = {
  compilerOptions: { strict: true, target: "es2022", module: "preserve", moduleResolution: "bundler", allowImportingTsExtensions: true, noEmit: true, types: ["node"] },
};

/** Makes the project in `folder`. */
export function makeUserProject(folder: string): string {
  cpSync(join(repo, "samples"), folder, { recursive: true });
  mkdirSync(join(folder, "node_modules"));
  symlinkSync(repo, join(folder, "node_modules/aloft"), "dir");
  copyFileSync(join(repo, "test/fixtures/check/planted.ts"), join(folder, "planted.ts"));
  copyFileSync(join(repo, "test/fixtures/lsp/misspelt.ts"), join(folder, "misspelt.ts"));
  // As a user's project has them: Node's types, and a tsconfig.json that uses them (TypeScript 7 loads no @types by default).
  mkdirSync(join(folder, "node_modules/@types"));
  symlinkSync(join(repo, "node_modules/@types/node"), join(folder, "node_modules/@types/node"), "dir");
  writeFileSync(join(folder, "tsconfig.json"), `${JSON.stringify(WORKSPACE_TSCONFIG, null, 2)}\n`);
  return folder;
}
