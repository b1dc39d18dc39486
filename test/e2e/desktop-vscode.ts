/**
 * The desktop VS Code that ALOFT_VSCODE_PATH names, checked before anything
 * starts: its Electron executable, the product files every VS Code ships
 * beside it, a version the extension supports, and its command-line
 * launcher (found by @vscode/test-electron, which downloads nothing here).
 */
import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { resolveCliArgsFromVSCodeExecutablePath } from "@vscode/test-electron";

export const VSCODE_PATH_VARIABLE = "ALOFT_VSCODE_PATH";

const EXAMPLES = 'Linux: /usr/share/code/code; macOS: "/Applications/Visual Studio Code.app/Contents/MacOS/Electron"; Windows: "C:\\Program Files\\Microsoft VS Code\\Code.exe"';
const extensionManifest = resolve(import.meta.dirname, "../../extension/package.json");

export interface DesktopVsCode {
  /** The Electron executable, started by playwright-core. */
  executable: string;
  /** The launcher (`bin/code`) that installs extensions. */
  cli: string;
  version: string;
}

/** The desktop VS Code at `path`; an Error naming ALOFT_VSCODE_PATH and what is wrong with it otherwise. */
export function findDesktopVsCode(given: string, platform: NodeJS.Platform = process.platform): DesktopVsCode {
  const said = `${VSCODE_PATH_VARIABLE} is "${given}"`;
  const fail = (why: string) => new Error(`${said}, ${why}; set it to the executable of a desktop VS Code (${EXAMPLES}), or unset it to run the editor test on code-server alone`);
  if (!existsSync(given)) throw fail("which does not exist");
  // /usr/bin/code is a link to the launcher inside the install: its real place says where the rest is.
  const path = realpathSync(given);
  if (statSync(path).isDirectory()) throw fail("which is a folder, not VS Code's executable");
  if (platform !== "win32") {
    try {
      accessSync(path, constants.X_OK);
    } catch {
      throw fail("which is not executable");
    }
  }
  const app = platform === "darwin" ? resolve(path, "../../Resources/app") : resolve(dirname(path), "resources/app");
  const product = readJson(join(app, "product.json"));
  if (!product || typeof product.applicationName !== "string") {
    const started = resolve(path, "../..", basename(path));
    const isLauncher = /^code(-insiders)?(\.cmd)?$/.test(basename(path)) && basename(dirname(path)) === "bin";
    const launcher = isLauncher ? `; it looks like the command-line launcher: name the Electron executable it starts (${started})` : "";
    throw fail(`which is not a desktop VS Code: there is no VS Code product.json at ${join(app, "product.json")}${launcher}`);
  }
  const version = String(readJson(join(app, "package.json"))?.version ?? "");
  const needed = minimumVersion();
  if (!atLeast(version, needed)) throw fail(`which is ${product.nameLong ?? product.applicationName} ${version || "of no known version"}, older than the ${needed} the extension needs (engines.vscode of extension/package.json)`);
  const [cli] = resolveCliArgsFromVSCodeExecutablePath(path, { reuseMachineInstall: true, platform: platformName(platform) });
  if (!cli || !existsSync(cli)) throw fail(`whose command-line launcher ${cli} is missing, which the test installs the extension with`);
  return { executable: path, cli, version };
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** `^1.100.0` → `1.100.0`. */
function minimumVersion(): string {
  const engines = (readJson(extensionManifest)?.engines ?? {}) as { vscode?: string };
  return (engines.vscode ?? "").replace(/^[^\d]*/, "") || "0.0.0";
}

function atLeast(version: string, minimum: string): boolean {
  const parts = (text: string) => text.split(/[.-]/).slice(0, 3).map((n) => Number.parseInt(n, 10));
  const [have, need] = [parts(version), parts(minimum)];
  if (have.some(Number.isNaN)) return false;
  for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== (need[i] ?? 0)) return (have[i] ?? 0) > (need[i] ?? 0);
  return true;
}

/** @vscode/test-electron's name of a platform, as far as the launcher's place goes. */
function platformName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "win32-x64-archive" : platform === "darwin" ? "darwin" : "linux-x64";
}
