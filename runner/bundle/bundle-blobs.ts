/**
 * A code bundle travels as two blobs (the code and its source map) and runs
 * as `bundle.mjs` with `bundle.mjs.map` beside it, where the code's
 * `sourceMappingURL` comment expects the map. These turn one into the other.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { BlobStore } from "../blobs/blob-store.ts";
import { hexOf } from "../blobs/digest.ts";

export interface BundleDigests {
  code: string;
  sourceMap?: string;
}

/** Stores a bundle on disk (`.../bundle.mjs` and its map) as blobs. */
export async function putBundle(blobs: BlobStore, bundlePath: string): Promise<BundleDigests> {
  const code = (await blobs.putFile(bundlePath, "bundle.mjs")).$file.digest;
  const mapPath = `${bundlePath}.map`;
  if (!existsSync(mapPath)) return { code };
  return { code, sourceMap: (await blobs.putFile(mapPath, "bundle.mjs.map")).$file.digest };
}

/** `root/<code hex>/bundle.mjs` (+ map) from the blobs, built once; returns the bundle's path. */
export async function materializeBundle(blobs: BlobStore, root: string, digests: BundleDigests): Promise<string> {
  const dir = join(root, hexOf(digests.code));
  const path = join(dir, "bundle.mjs");
  if (existsSync(path)) return path;
  const temp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await mkdir(temp, { recursive: true });
  try {
    await copyFile(blobs.requirePath(digests.code), join(temp, "bundle.mjs"));
    if (digests.sourceMap) await copyFile(blobs.requirePath(digests.sourceMap), join(temp, "bundle.mjs.map"));
    await mkdir(dirname(dir), { recursive: true });
    await rename(temp, dir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Another caller built the same bundle first: its copy is as good as ours.
    if (existsSync(path)) return path;
    throw error;
  }
  return path;
}
