/**
 * Which aloft CLI runs the language server of a workspace folder. The
 * analysis must match the SDK the folder's code imports, so the CLI comes
 * from the folder the way Node resolves `import "aloft"` there: the aloft
 * package the folder itself is (its nearest package.json is named aloft),
 * else `node_modules/aloft` in the folder or a folder above it. The
 * `aloft.server.path` setting overrides both.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";

export interface ServerLookup {
  /** Absolute path of the workspace folder. */
  folder: string;
  /** The `aloft.server.path` setting; empty when unset. */
  configuredPath: string;
}

export type ServerLocation =
  | { found: true; cli: string; /** Where the CLI came from, for the log. */ how: string }
  | { found: false; /** What is missing and where the extension looked, for the user. */ reason: string };

const SETTING = "aloft.server.path";

export function locateServer({ folder, configuredPath }: ServerLookup): ServerLocation {
  if (configuredPath.trim()) return configuredCli(folder, configuredPath.trim());

  const own = nearestPackage(folder);
  if (own?.name === "aloft") return packageCli(own.dir, `the aloft package ${own.dir} (the folder's own package)`);

  for (let dir = folder; ; dir = dirname(dir)) {
    const installed = join(dir, "node_modules", "aloft");
    if (existsSync(join(installed, "package.json"))) return packageCli(installed, `aloft installed at ${installed}`);
    if (dirname(dir) === dir) break;
  }
  const ownPackage = own ? `the folder's own package (${join(own.dir, "package.json")}) is ${own.name ? `"${own.name}"` : "unnamed"}, not aloft` : "the folder is in no package";
  return {
    found: false,
    reason:
      `aloft is not installed for ${folder}: there is no ${join(folder, "node_modules", "aloft", "package.json")}, nor node_modules/aloft in any folder above it, and ${ownPackage}. ` +
      `Install aloft there (npm install aloft) or set ${SETTING} to the path of aloft's dist/cli.js.`,
  };
}

function configuredCli(folder: string, configured: string): ServerLocation {
  const expanded = configured === "~" || configured.startsWith("~/") ? join(homedir(), configured.slice(1)) : configured;
  const cli = isAbsolute(expanded) ? expanded : resolve(folder, expanded);
  if (isFile(cli)) return { found: true, cli, how: `${SETTING} (${configured})` };
  return { found: false, reason: `${SETTING} is "${configured}", but there is no file at ${cli}. Point it at aloft's dist/cli.js, or clear it to use the aloft installed in the folder.` };
}

/** The CLI of an aloft package: its `bin.aloft`, which is what `npx aloft` would run. */
function packageCli(dir: string, how: string): ServerLocation {
  const manifest = join(dir, "package.json");
  let bin: unknown;
  try {
    bin = (JSON.parse(readFileSync(manifest, "utf8")) as { bin?: unknown }).bin;
  } catch (error) {
    return { found: false, reason: `${how}, but its ${manifest} cannot be read: ${(error as Error).message}` };
  }
  const relative = typeof bin === "string" ? bin : typeof bin === "object" && bin !== null ? (bin as Record<string, unknown>).aloft : undefined;
  if (typeof relative !== "string") return { found: false, reason: `${how}, but its ${manifest} names no "aloft" command in "bin": an aloft without a language server` };
  const cli = resolve(dir, relative);
  if (!isFile(cli)) return { found: false, reason: `${how}, but its CLI ${cli} is missing: build it (npm run build) or reinstall aloft` };
  return { found: true, cli, how };
}

function nearestPackage(folder: string): { dir: string; name?: string } | undefined {
  for (let dir = folder; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown };
        return typeof name === "string" ? { dir, name } : { dir };
      } catch {
        return { dir };
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
