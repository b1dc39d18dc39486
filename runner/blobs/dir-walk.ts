/**
 * Lists what a directory holds, the way a reader of it sees it: symbolic
 * links (to files and to directories) are followed, so a `Dir` carries the
 * content a task would read, never a link into the machine it came from.
 * A link that points nowhere, or back into its own ancestors, is an error.
 */
import { readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { AloftError } from "../../compiler/errors.ts";

export interface WalkedFile {
  /** POSIX path relative to the walked directory. */
  path: string;
  /** Where to read it on this machine. */
  source: string;
}

export interface WalkedTree {
  files: WalkedFile[];
  /** Relative paths of directories below the root that hold no files at any depth. */
  emptyDirs: string[];
}

export async function walkDir(root: string): Promise<WalkedTree> {
  const tree: WalkedTree = { files: [], emptyDirs: [] };
  await visit(root, "", new Set([await realpath(root)]), tree, root);
  tree.emptyDirs = innermost(tree.emptyDirs);
  return tree;
}

/** Returns whether the directory holds any file, at any depth. */
async function visit(dir: string, prefix: string, ancestors: Set<string>, tree: WalkedTree, root: string): Promise<boolean> {
  let holdsFiles = false;
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const source = join(dir, entry.name);
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    const kind = entry.isSymbolicLink() ? await linkTargetKind(source, root, path) : kindOf(entry);
    if (kind === "file") {
      tree.files.push({ path, source });
      holdsFiles = true;
    } else if (kind === "dir") {
      const real = await realpath(source);
      if (ancestors.has(real)) {
        throw walkError(root, path, "is a symbolic link back to a directory that contains it (a cycle)");
      }
      ancestors.add(real);
      const childHolds = await visit(source, path, ancestors, tree, root);
      ancestors.delete(real);
      if (!childHolds) tree.emptyDirs.push(path);
      holdsFiles ||= childHolds;
    } else {
      throw walkError(root, path, `is a ${kind}, which a Dir cannot carry (only files and directories)`);
    }
  }
  return holdsFiles;
}

/** Only the innermost empty directories need recording: their parents are implied. */
function innermost(dirs: string[]): string[] {
  const parents = new Set<string>();
  for (const dir of dirs) {
    const segments = dir.split("/");
    for (let i = 1; i < segments.length; i++) parents.add(segments.slice(0, i).join("/"));
  }
  return dirs.filter((d) => !parents.has(d));
}

type EntryKind = "file" | "dir" | "socket" | "FIFO" | "device";

function kindOf(entry: { isFile(): boolean; isDirectory(): boolean; isSocket(): boolean; isFIFO(): boolean }): EntryKind {
  if (entry.isFile()) return "file";
  if (entry.isDirectory()) return "dir";
  if (entry.isSocket()) return "socket";
  if (entry.isFIFO()) return "FIFO";
  return "device";
}

async function linkTargetKind(source: string, root: string, path: string): Promise<EntryKind> {
  try {
    return kindOf(await stat(source));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw walkError(root, path, "is a symbolic link to a path that does not exist");
    }
    if ((error as NodeJS.ErrnoException).code === "ELOOP") {
      throw walkError(root, path, "is a symbolic link that loops");
    }
    throw error;
  }
}

function walkError(root: string, path: string, why: string): AloftError {
  return new AloftError({ code: "DIR_INVALID", message: `${join(root, path)} ${why}` });
}
