/**
 * Starting tsgo before the checker's own modules are loaded: a CLI check
 * knows its files at once, and tsgo can load their projects (its longest
 * step before any question) while Node loads the TypeScript API and the
 * compiler. A `TypeScriptSession` given the started process adopts it, and
 * finds the answers to the questions sent here waiting (see ts-api.ts).
 *
 * This module stays light (Node's own modules and the transport only), so
 * that importing it costs nothing of what it overlaps.
 */
import { existsSync } from "node:fs";
import { totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { TsgoConnection, type SentRequest } from "./tsgo-connection.ts";

/** A tsgo started by `startTsgo`, with the questions already sent to it, by `questionKey`. */
export interface StartedTsgo {
  readonly cwd: string;
  readonly connection: TsgoConnection;
  readonly questions: ReadonlyMap<string, SentRequest>;
}

const { default: tsgoExecutablePath } = (await import(new URL("../../lib/getExePath.js", new URL("../", import.meta.resolve("typescript/unstable/sync"))).href)) as {
  default: () => string;
};

/** The tsgo binary of the exactly pinned typescript package. */
export function tsgoExecutable(): string {
  return tsgoExecutablePath();
}

/**
 * Starts tsgo reading the disk (no file-system callbacks) and loading the
 * projects of `files`, as `TypeScriptSession.openAll` would ask for them.
 * Undefined when a file has no tsconfig.json above it: its project is
 * synthesized, which the session serves itself.
 */
export function startTsgo(files: readonly string[], cwd: string): StartedTsgo | undefined {
  const configs = projectConfigs(files, existsSync);
  if (!configs) return undefined;
  const connection = new TsgoConnection(tsgoExecutable(), ["--cwd", cwd], new Map(), oneShotTsgoEnv());
  const questions = new Map<string, SentRequest>();
  const ask = (method: string, params: unknown) => questions.set(questionKey(method, params), connection.send(method, params));
  // What the API sends first: the session's own calls then find the answers waiting.
  ask("initialize", null);
  ask("updateSnapshot", { openProjects: configs });
  return { cwd, connection, questions };
}

/**
 * The environment of a tsgo that answers one check and ends (`aloft check`,
 * `aloft graph`, a run's check before it starts): Go's garbage collector
 * off, with half of the machine's memory as the limit past which it collects
 * after all.
 *
 * A check keeps nearly everything it allocates (syntax trees, symbols, the
 * types it builds), so collecting on the way frees little: on the 200-file
 * benchmark tsgo's peak memory grew from 233 to 265 MB, while Go's collector
 * had taken about a sixth of a check's time, on the cores aloft's own reading
 * needs (bench check-vs-tsc). A long-lived tsgo (the language server's) keeps
 * Go's defaults: its snapshots do become garbage. A GOGC or GOMEMLIMIT the
 * user set is left as it is.
 */
export function oneShotTsgoEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (env.GOGC !== undefined || env.GOMEMLIMIT !== undefined) return env;
  // A container's limit, where there is one (without, Node answers 0, undefined or 2^64).
  const constrained = process.constrainedMemory?.() || Infinity;
  const available = Math.min(totalmem(), constrained);
  return { ...env, GOGC: "off", GOMEMLIMIT: `${Math.max(256, Math.floor(available / 2 / 2 ** 20))}MiB` };
}

/** The tsconfig.json of each file's project, in the order of the files, once each; undefined if a file has none. */
export function projectConfigs(files: readonly string[], exists: (path: string) => boolean): string[] | undefined {
  const configs = new Set<string>();
  for (const file of files) {
    const config = nearestTsconfig(dirname(resolve(file)), exists);
    if (!config) return undefined;
    configs.add(config);
  }
  return [...configs];
}

export function nearestTsconfig(dir: string, exists: (path: string) => boolean): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, "tsconfig.json");
    if (exists(candidate)) return candidate;
    if (dirname(current) === current) return undefined;
  }
}

/** The identity of a question to tsgo: the API sends its parameters in a fixed order. */
export function questionKey(method: string, params: unknown): string {
  return `${method}\0${JSON.stringify(params)}`;
}
