/**
 * Every blob a wire value needs to be read somewhere else: each file's blob,
 * and for each directory its manifest and every file the manifest lists.
 * What a client uploads before it submits, and what a pod fetches before it runs.
 */
import type { WireValue } from "../data/wire.ts";
import { isWireDir, isWireFile } from "../data/wire.ts";
import type { DirManifest } from "./dir-manifest.ts";

export interface ValueBlobs {
  /** File blobs and dir manifests named directly by the value. */
  direct: string[];
  /** Digests of dir manifests, whose entries are needed as well. */
  manifests: string[];
}

/** The digests a value names directly, without reading any manifest. */
export function blobsNamedBy(value: WireValue | undefined, found: ValueBlobs = { direct: [], manifests: [] }): ValueBlobs {
  if (value === null || value === undefined || typeof value !== "object") return found;
  if (isWireFile(value)) {
    found.direct.push(value.$file.digest);
  } else if (isWireDir(value)) {
    found.direct.push(value.$dir.digest);
    found.manifests.push(value.$dir.digest);
  } else if (Array.isArray(value)) {
    for (const item of value) blobsNamedBy(item, found);
  } else {
    for (const item of Object.values(value)) blobsNamedBy(item as WireValue, found);
  }
  return found;
}

/** Every digest the values need, manifests' entries included, each once, in a stable order. */
export async function blobsNeededBy(
  values: Iterable<WireValue | undefined>,
  readManifest: (digest: string) => Promise<DirManifest>,
): Promise<string[]> {
  const found: ValueBlobs = { direct: [], manifests: [] };
  for (const value of values) blobsNamedBy(value, found);
  const needed = new Set(found.direct);
  for (const manifest of new Set(found.manifests)) {
    for (const entry of (await readManifest(manifest)).entries) needed.add(entry.digest);
  }
  return [...needed];
}
