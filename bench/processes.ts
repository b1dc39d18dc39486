// Running the tools a benchmark compares: the built CLI, the repository's
// TypeScript, and the baselines that bench/baselines/ installs on first use.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { bundleTypeScriptApi } from "../scripts/typescript-api-bundling.mjs";
import { repo } from "./bench-workspace.ts";

export const aloftCli = join(repo, "dist/cli.js");
export const baselines = join(repo, "bench/baselines");

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

/** `env`: added to this process's environment. */
export function runProcess(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: options.cwd ?? repo, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: performance.now() - start }));
  });
}

/** Builds dist/ when it is missing (or `rebuild`), so the real CLI is what runs. */
export function ensureBuilt(rebuild: boolean): void {
  if (existsSync(aloftCli) && !rebuild) return;
  console.log("building dist/ (npm run build)...");
  mustSucceed(spawnSync("npm", ["run", "build"], { cwd: repo, stdio: "inherit" }).status, "npm run build");
}

/**
 * Builds bench/api-floor-main.ts as the CLI is built (TypeScript's API inside),
 * under node_modules/ so that its packages resolve as the CLI's do.
 */
export async function buildApiFloor(): Promise<string> {
  const outfile = join(repo, "node_modules/.cache/aloft-bench/api-floor.mjs");
  await build({ entryPoints: [join(repo, "bench/api-floor-main.ts")], outfile, bundle: true, platform: "node", format: "esm", target: "node20", plugins: [bundleTypeScriptApi], logLevel: "warning" });
  return outfile;
}

/** Installs the pinned baseline tools of bench/baselines/ when they are missing. */
export function ensureBaselines(): void {
  const wanted = ["typescript/package.json", "typescript-language-server/package.json"];
  if (wanted.every((p) => existsSync(join(baselines, "node_modules", p)))) return;
  console.log("installing the baselines (npm ci --prefix bench/baselines)...");
  mustSucceed(spawnSync("npm", ["ci", "--prefix", baselines, "--no-audit", "--no-fund"], { cwd: repo, stdio: "inherit" }).status, "npm ci --prefix bench/baselines");
}

function mustSucceed(status: number | null, what: string): void {
  if (status !== 0) throw new Error(`${what} failed (exit code ${status})`);
}
