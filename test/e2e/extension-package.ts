/** The extension as users install it: extension/dist/aloft.vsix, built from the sources by the extension's own scripts. */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const extensionDir = resolve(import.meta.dirname, "../../extension");

let packaged: string | undefined;

/** Packages the extension once per test process, however many editors install it. */
export function packageExtension(): string {
  packaged ??= buildPackage();
  return packaged;
}

function buildPackage(): string {
  // The extension is its own package, with its own dependencies: installed when missing or older than its lock file.
  const installed = join(extensionDir, "node_modules/.package-lock.json");
  if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(join(extensionDir, "package-lock.json")).mtimeMs) npm(["ci", "--no-audit", "--no-fund"]);
  npm(["run", "package"]);
  const vsix = join(extensionDir, "dist/aloft.vsix");
  if (!existsSync(vsix)) throw new Error(`npm run package in ${extensionDir} wrote no ${vsix}`);
  return vsix;
}

function npm(args: string[]): void {
  // Output goes to stderr: the test runner reads stdout.
  const result = spawnSync("npm", args, { cwd: extensionDir, stdio: ["ignore", 2, 2] });
  if (result.status !== 0) throw new Error(`npm ${args.join(" ")} in ${extensionDir} failed (exit ${result.status ?? result.signal})`);
}
