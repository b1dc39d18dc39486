/**
 * The content-addressed blob store: `root/sha256/<2 hex>/<62 hex>`, one
 * read-only file per distinct content. Writers hash while they copy into a
 * private temp file and publish it with a rename, so a blob path either does
 * not exist or holds exactly the bytes its name promises. Directories are
 * stored as manifest blobs, and materialized on demand under `root/dirs/`.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Stats } from "node:fs";
import { AloftError } from "../../compiler/errors.ts";
import type { WireDir, WireFile } from "../data/wire.ts";
import { assertDigest, digestOfHex, hexOf, isDigest } from "./digest.ts";
import { parseManifest, serializeManifest, type DirManifest, type ManifestEntry } from "./dir-manifest.ts";
import { walkDir } from "./dir-walk.ts";
import { buildDirTree } from "./materialize-dir.ts";

/** How many files of a directory are hashed at once: enough to overlap I/O, few enough for small machines. */
const PUT_DIR_CONCURRENCY = 4;

export class BlobStore {
  readonly root: string;
  readonly #blobs: string;
  readonly #dirs: string;
  readonly #scratch: string;
  /** Materializations in flight in this process, so concurrent callers share one build. */
  readonly #building = new Map<string, Promise<string>>();

  constructor(root: string) {
    this.root = resolve(root);
    this.#blobs = join(this.root, "sha256");
    this.#dirs = join(this.root, "dirs");
    this.#scratch = join(this.root, "tmp");
  }

  /** Stores a local file by streaming it once; `name` defaults to the path's last segment. */
  async putFile(path: string, name?: string): Promise<WireFile> {
    const source = resolve(path);
    const info = await statSource(source, "file");
    const fileName = name ?? basename(source);
    const stored = this.#digestOfStoredPath(source);
    // A decoded input passed on as an output is already a blob: no need to read it again.
    if (stored) return { $file: { digest: stored, name: fileName, size: info.size } };
    const temp = await this.#tempPath();
    const hash = createHash("sha256");
    let size = 0;
    try {
      await pipeline(
        createReadStream(source),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(temp, { flags: "wx" }),
      );
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    const digest = await this.#publish(temp, hash.digest("hex"));
    return { $file: { digest, name: fileName, size } };
  }

  /**
   * Stores the bytes of `source` under `expected` only if they hash to it: an
   * upload whose content does not match its claimed digest leaves nothing
   * behind. Resolves with the size stored.
   */
  async putVerified(source: AsyncIterable<Uint8Array>, expected: string, limitBytes = Number.POSITIVE_INFINITY): Promise<{ size: number; existed: boolean }> {
    const expectedHex = hexOf(expected);
    const temp = await this.#tempPath();
    const hash = createHash("sha256");
    let size = 0;
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const chunk of chunks) {
            size += chunk.length;
            if (size > limitBytes) throw new AloftError({ code: "BLOB_TOO_LARGE", message: `blob ${expected} is larger than the limit of ${limitBytes} bytes` });
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(temp, { flags: "wx" }),
      );
      const actual = hash.digest("hex");
      if (actual !== expectedHex) {
        throw new AloftError({
          code: "DIGEST_MISMATCH",
          message: `the uploaded bytes hash to sha256:${actual}, not to ${expected} as claimed; nothing was stored`,
        });
      }
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    const existed = this.has(expected);
    await this.#publish(temp, expectedHex);
    return { size, existed };
  }

  async putBytes(bytes: Uint8Array | string, name: string): Promise<WireFile> {
    const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
    const hex = createHash("sha256").update(data).digest("hex");
    const digest = digestOfHex(hex);
    if (!this.has(digest)) {
      const temp = await this.#tempPath();
      await writeFile(temp, data, { flag: "wx" });
      await this.#publish(temp, hex);
    }
    return { $file: { digest, name, size: data.byteLength } };
  }

  /**
   * Stores every file below `path` and a manifest of them; the directory's
   * digest is the manifest's. Symbolic links are followed (see dir-walk.ts).
   */
  async putDir(path: string, name?: string): Promise<WireDir> {
    const source = resolve(path);
    await statSource(source, "dir");
    const tree = await walkDir(source);
    const entries: ManifestEntry[] = new Array(tree.files.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < tree.files.length; i = next++) {
        const file = tree.files[i]!;
        const { $file } = await this.putFile(file.source);
        entries[i] = { path: file.path, digest: $file.digest, size: $file.size };
      }
    };
    await Promise.all(Array.from({ length: Math.min(PUT_DIR_CONCURRENCY, tree.files.length) }, worker));
    const manifest: DirManifest = tree.emptyDirs.length ? { entries, emptyDirs: tree.emptyDirs } : { entries };
    const { $file } = await this.putBytes(serializeManifest(manifest), "manifest.json");
    return { $dir: { digest: $file.digest, name: name ?? basename(source) } };
  }

  /** Where the blob lives (or would live) on this machine; checks the digest's form, not that it exists. */
  pathOf(digest: string): string {
    const hex = hexOf(digest);
    return join(this.#blobs, hex.slice(0, 2), hex.slice(2));
  }

  has(digest: string): boolean {
    return existsSync(this.pathOf(digest));
  }

  /** The blob's path, or `BLOB_MISSING` when this store does not hold it. */
  requirePath(digest: string): string {
    const path = this.pathOf(digest);
    if (!existsSync(path)) throw this.#missing(digest);
    return path;
  }

  async readText(digest: string): Promise<string> {
    return readFile(this.requirePath(digest), "utf8");
  }

  async readManifest(digest: string): Promise<DirManifest> {
    return parseManifest(await readFile(this.requirePath(digest), "utf8"), digest);
  }

  /**
   * A real directory holding the tree `dir` stands for, at `root/dirs/<hex>/`,
   * built once and shared by every later caller (and by other processes).
   */
  materializeDir(dir: WireDir): Promise<string> {
    const digest = dir.$dir.digest;
    const target = join(this.#dirs, hexOf(digest));
    if (existsSync(target)) return Promise.resolve(target);
    let building = this.#building.get(target);
    if (!building) {
      building = this.#materialize(digest, target).finally(() => this.#building.delete(target));
      this.#building.set(target, building);
    }
    return building;
  }

  async #materialize(digest: string, target: string): Promise<string> {
    const manifest = await this.readManifest(digest);
    const missing = manifest.entries.find((e) => !this.has(e.digest));
    if (missing) {
      const error = this.#missing(missing.digest);
      throw new AloftError({ ...error.info, message: `${error.message}; it holds ${missing.path} of directory ${digest}` });
    }
    await buildDirTree(manifest, target, this.#scratch, (d) => this.pathOf(d));
    return target;
  }

  /** Moves a finished temp file to its content address, or drops it if that content is already stored. */
  async #publish(temp: string, hex: string): Promise<string> {
    const digest = digestOfHex(hex);
    const target = this.pathOf(digest);
    if (existsSync(target)) {
      await rm(temp, { force: true });
      return digest;
    }
    await chmod(temp, 0o444);
    await mkdir(dirname(target), { recursive: true });
    // A concurrent writer of the same content may rename first; replacing its
    // file with identical bytes is harmless, and links made to it stay valid.
    await rename(temp, target);
    return digest;
  }

  async #tempPath(): Promise<string> {
    await mkdir(this.#scratch, { recursive: true });
    return join(this.#scratch, `blob-${randomUUID()}`);
  }

  #digestOfStoredPath(path: string): string | undefined {
    if (!path.startsWith(this.#blobs + sep)) return undefined;
    const [prefix, rest, ...more] = path.slice(this.#blobs.length + 1).split(sep);
    const digest = digestOfHex(`${prefix}${rest}`);
    return more.length === 0 && prefix?.length === 2 && isDigest(digest) ? digest : undefined;
  }

  #missing(digest: string): AloftError {
    assertDigest(digest);
    return new AloftError({
      code: "BLOB_MISSING",
      message: `blob ${digest} is not in the blob store at ${this.root} (it was deleted, or never uploaded from the machine that made it)`,
    });
  }
}

async function statSource(path: string, expected: "file" | "dir"): Promise<Stats> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    throw new AloftError({
      code: expected === "file" ? "FILE_NOT_FOUND" : "DIR_NOT_FOUND",
      message: `${path} does not exist`,
    });
  }
  if (expected === "file" && !info.isFile()) {
    const why = info.isDirectory() ? "a directory, not a file (use a Dir for directories)" : "not a regular file";
    throw new AloftError({ code: "NOT_A_FILE", message: `${path} is ${why}` });
  }
  if (expected === "dir" && !info.isDirectory()) {
    throw new AloftError({ code: "NOT_A_DIR", message: `${path} is not a directory (use a File for single files)` });
  }
  return info;
}
