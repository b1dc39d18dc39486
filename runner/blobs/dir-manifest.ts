/**
 * The manifest that stands for a directory in the blob store: every file
 * below it by POSIX relative path, with its content digest and size, sorted,
 * so the same tree always serializes to the same bytes and digest.
 */
import { AloftError } from "../../compiler/errors.ts";
import { isDigest } from "./digest.ts";

export interface ManifestEntry {
  /** POSIX path relative to the directory: `a/b.csv`. */
  path: string;
  digest: string;
  size: number;
}

export interface DirManifest {
  entries: ManifestEntry[];
  /**
   * Directories below the root that hold no files, so they survive the trip.
   * Omitted when there are none, which keeps the common manifest minimal.
   */
  emptyDirs?: string[];
}

/** Byte order, not locale order: the digest of a tree must not depend on the machine's locale. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Stable bytes: sorted paths and a fixed, alphabetical key order. */
export function serializeManifest(manifest: DirManifest): string {
  const entries = [...manifest.entries]
    .sort((a, b) => comparePaths(a.path, b.path))
    .map((e) => ({ digest: e.digest, path: e.path, size: e.size }));
  const emptyDirs = [...(manifest.emptyDirs ?? [])].sort(comparePaths);
  return JSON.stringify(emptyDirs.length ? { emptyDirs, entries } : { entries });
}

/**
 * Parses and checks a manifest. Manifests can arrive from other machines, and
 * their paths become paths on this one, so anything that could escape the
 * directory or collide is refused.
 */
export function parseManifest(text: string, digest: string): DirManifest {
  const invalid = (why: string) =>
    new AloftError({ code: "MANIFEST_INVALID", message: `blob ${digest} is not a valid directory manifest: ${why}` });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalid("it is not JSON");
  }
  if (typeof raw !== "object" || raw === null || !Array.isArray((raw as DirManifest).entries)) {
    throw invalid('it has no "entries" list');
  }
  const { entries, emptyDirs = [] } = raw as DirManifest;
  if (!Array.isArray(emptyDirs)) throw invalid('"emptyDirs" is not a list');
  const files = new Set<string>();
  const parents = new Set<string>();
  for (const entry of entries as unknown[]) {
    const e = entry as Partial<ManifestEntry> | null;
    if (typeof e !== "object" || e === null) throw invalid("an entry is not an object");
    if (!isSafeRelativePath(e.path)) throw invalid(`entry path ${JSON.stringify(e.path)} is not a plain relative path`);
    if (!isDigest(e.digest)) throw invalid(`entry ${e.path} has no valid digest`);
    if (typeof e.size !== "number" || !Number.isSafeInteger(e.size) || e.size < 0) throw invalid(`entry ${e.path} has no valid size`);
    if (files.has(e.path)) throw invalid(`entry ${e.path} appears twice`);
    files.add(e.path);
    for (const parent of parentsOf(e.path)) parents.add(parent);
  }
  for (const dir of emptyDirs as unknown[]) {
    if (!isSafeRelativePath(dir)) throw invalid(`empty directory ${JSON.stringify(dir)} is not a plain relative path`);
    parents.add(dir);
    for (const parent of parentsOf(dir)) parents.add(parent);
  }
  for (const file of files) {
    if (parents.has(file)) throw invalid(`${file} is both a file and a directory`);
  }
  return emptyDirs.length ? { entries: entries as ManifestEntry[], emptyDirs: emptyDirs as string[] } : { entries: entries as ManifestEntry[] };
}

function isSafeRelativePath(path: unknown): path is string {
  if (typeof path !== "string" || path === "" || path.startsWith("/") || path.includes("\0")) return false;
  return path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

function parentsOf(path: string): string[] {
  const segments = path.split("/");
  return segments.slice(1).map((_, i) => segments.slice(0, i + 1).join("/"));
}
