// A temporary workspace of generated workflow files that imports `aloft` the
// way a user's project does: a tsconfig.json with the repository's compiler
// options, an ES-module package.json, and node_modules/aloft linked to this
// repository (node_modules/@types too, for the `node` types the options name).
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repo = resolve(import.meta.dirname, "..");

export function makeWorkspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "aloft-bench-ws-"));
  const repoConfig = JSON.parse(readFileSync(join(repo, "tsconfig.json"), "utf8")) as { compilerOptions: object };
  writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify({ compilerOptions: repoConfig.compilerOptions, include: ["**/*.ts"] }, null, 2)}\n`);
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "aloft-bench-workspace", private: true, type: "module" }, null, 2)}\n`);
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repo, join(dir, "node_modules/aloft"), "dir");
  symlinkSync(join(repo, "node_modules/@types"), join(dir, "node_modules/@types"), "dir");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
