/**
 * Bundles a user's workflow file into one self-contained ESM file with a
 * source map, so a worker (here or in a pod) loads it with nothing installed
 * and stack traces and breakpoints point at the original `.ts`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { build, type Message } from "esbuild";
import { AloftError } from "../../compiler/errors.ts";
import { fingerprintAll, sha256, unchanged, type Fingerprints } from "./fingerprints.ts";

export interface Bundle {
  /** sha256 of the bundled code: the code half of every task version. */
  hash: string;
  /** Absolute path of the bundle (`bundle.mjs`, source map beside it). */
  path: string;
}

interface IndexEntry {
  sources: Fingerprints;
  bundle: Bundle;
}

/**
 * Returns the bundle of `file`, rebuilding only when one of its sources
 * changed. Bundles live under `cacheDir/<hash>/`, so identical code shares one.
 */
export async function bundleWorkflowFile(file: string, cacheDir: string): Promise<Bundle> {
  const entry = resolve(file);
  if (!existsSync(entry)) {
    throw new AloftError({ code: "FILE_NOT_FOUND", message: `${file}: no such file` });
  }
  const indexPath = join(cacheDir, "index", `${sha256(entry).slice(0, 32)}.json`);
  const cached = readIndex(indexPath);
  if (cached && unchanged(cached.sources) && existsSync(cached.bundle.path)) return cached.bundle;

  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "linked",
    sourcesContent: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    outfile: join(cacheDir, "pending", "bundle.mjs"),
    // Lets bundled CommonJS dependencies call require() inside an ES module.
    banner: { js: 'import { createRequire as __aloftRequire } from "node:module"; const require = __aloftRequire(import.meta.url);' },
  }).catch((error: { errors?: Message[] }) => {
    throw new AloftError({
      code: "BUNDLE_FAILED",
      message: `could not bundle ${file}:\n${formatMessages(error.errors ?? [])}` ,
    });
  });

  const code = result.outputFiles.find((f) => f.path.endsWith(".mjs"));
  const map = result.outputFiles.find((f) => f.path.endsWith(".map"));
  if (!code || !map) throw new Error("esbuild produced no bundle");
  const hash = sha256(code.contents);
  const dir = join(cacheDir, hash);
  const sourceInfo = fingerprintAll(Object.keys(result.metafile.inputs).map((p) => resolve(p)));
  const bundle: Bundle = { hash, path: join(dir, "bundle.mjs") };
  if (!existsSync(bundle.path)) {
    // esbuild wrote source paths relative to `pending/`, a sibling of `dir`,
    // so the map stays valid. Write to a temp folder and move it in whole.
    const temp = `${dir}.tmp-${process.pid}`;
    mkdirSync(temp, { recursive: true });
    writeFileSync(join(temp, "bundle.mjs"), code.contents);
    writeFileSync(join(temp, "bundle.mjs.map"), map.contents);
    try {
      renameSync(temp, dir);
    } catch {
      rmSync(temp, { recursive: true, force: true }); // another process won the race
    }
  }
  mkdirSync(dirname(indexPath), { recursive: true });
  writeFileSync(indexPath, JSON.stringify({ sources: sourceInfo, bundle } satisfies IndexEntry));
  return bundle;
}

function readIndex(path: string): IndexEntry | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as IndexEntry;
  } catch {
    return undefined;
  }
}

function formatMessages(messages: Message[]): string {
  return messages
    .map((m) => {
      const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : "";
      return `  ${where}${m.text}`;
    })
    .join("\n");
}
