// Runs every test file with node's test runner (Node 20 takes no globs).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const roots = ["sdk", "compiler", "server", "runner", "samples", "test", "extension"];
const skip = new Set(["node_modules", "fixtures", "dist"]);

function find(dir, into) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) find(path, into);
    else if (entry.name.endsWith(".test.ts")) into.push(path);
  }
  return into;
}

const files = roots.flatMap((root) => find(root, [])).sort();
const filter = process.argv.slice(2);
const selected = filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files;
// The extension is its own package: its tests need its own dependencies (a layout library, say).
const installed = "extension/node_modules/.package-lock.json";
const stale = () => !existsSync(installed) || statSync(installed).mtimeMs < statSync("extension/package-lock.json").mtimeMs;
if (selected.some((f) => f.startsWith("extension")) && stale()) {
  const installed = spawnSync("npm", ["ci", "--prefix", "extension", "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (installed.status !== 0) process.exit(installed.status ?? 1);
}
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...selected], { stdio: "inherit" });
process.exit(result.status ?? 1);
