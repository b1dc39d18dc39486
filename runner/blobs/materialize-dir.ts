/**
 * Turns a directory manifest back into a real directory. The tree is built
 * privately and published with one rename, so a reader never sees half a
 * directory, and two builders racing for the same digest both end up using
 * whichever tree was published first.
 */
import { chmod, copyFile, link, mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { DirManifest } from "./dir-manifest.ts";

/** Errors from `link` that mean "not here", not "something is wrong": fall back to a copy. */
const CANNOT_LINK = new Set(["EXDEV", "EPERM", "ENOTSUP", "EOPNOTSUPP", "EMLINK"]);

/** Errors from renaming onto a published tree: someone else published first. */
const ALREADY_PUBLISHED = new Set(["ENOTEMPTY", "EEXIST"]);

export async function buildDirTree(
  manifest: DirManifest,
  target: string,
  scratch: string,
  blobPath: (digest: string) => string,
): Promise<void> {
  await mkdir(scratch, { recursive: true });
  const building = await mkdtemp(join(scratch, "dir-"));
  try {
    const made = new Set<string>();
    const ensureDir = async (dir: string) => {
      if (made.has(dir)) return;
      await mkdir(dir, { recursive: true });
      made.add(dir);
    };
    for (const dir of manifest.emptyDirs ?? []) await ensureDir(join(building, dir));
    for (const entry of manifest.entries) {
      const destination = join(building, entry.path);
      await ensureDir(dirname(destination));
      await linkOrCopy(blobPath(entry.digest), destination);
    }
    await mkdir(dirname(target), { recursive: true });
    await rename(building, target);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    if (!ALREADY_PUBLISHED.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
  }
}

/**
 * Hard links share the blob's inode, so materializing costs no copy; the
 * blob is read-only, so a task cannot change the store through the link.
 */
async function linkOrCopy(blob: string, destination: string): Promise<void> {
  try {
    await link(blob, destination);
  } catch (error) {
    if (!CANNOT_LINK.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
    await copyFile(blob, destination);
    await chmod(destination, 0o444);
  }
}
