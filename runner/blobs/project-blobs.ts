/**
 * Which project may read which blob. Blobs are shared by content across
 * projects (an upload of bytes someone else stored costs nothing), but
 * knowing a digest must not be enough to read another project's data: a
 * project reads a blob only after it uploaded those bytes itself or one of
 * its executions produced them. The grants are empty marker files beside the
 * blobs, so replicas sharing a blob store share them too.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { hexOf } from "./digest.ts";

export class ProjectBlobGrants {
  readonly #root: string;

  constructor(blobRoot: string) {
    this.#root = join(resolve(blobRoot), "projects");
  }

  async grant(project: string, digests: Iterable<string>): Promise<void> {
    const made = new Set<string>();
    for (const digest of digests) {
      const path = this.#pathOf(project, digest);
      if (existsSync(path)) continue;
      const dir = join(path, "..");
      if (!made.has(dir)) {
        await mkdir(dir, { recursive: true });
        made.add(dir);
      }
      await writeFile(path, "");
    }
  }

  allows(project: string, digest: string): boolean {
    return existsSync(this.#pathOf(project, digest));
  }

  #pathOf(project: string, digest: string): string {
    const hex = hexOf(digest);
    // Project names are checked where they enter (access.ts); encoding keeps any name a single path segment anyway.
    return join(this.#root, encodeURIComponent(project), hex.slice(0, 2), hex.slice(2));
  }
}
