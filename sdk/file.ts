import { mkdtempSync } from "node:fs";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve, sep } from "node:path";
import { runtime, sharedClass } from "./runtime.ts";

/**
 * A file that travels between tasks. Inside a task, `path` is a local file you
 * can read; a task that returns a `File` has it uploaded, content-addressed, so
 * the next task (on this machine or a pod) reads the same bytes.
 */
class FileImpl {
  readonly path: string;
  readonly name: string;

  /** Prefer `File.from(path)`; `name` defaults to the path's last segment. */
  constructor(path: string, name?: string) {
    this.path = resolve(path);
    this.name = name ?? basename(this.path);
  }

  /** A reference to an existing local file. */
  static from(path: string): FileImpl {
    return new File(path);
  }

  /** Writes `contents` to a new file in the running task's scratch space. */
  static async write(name: string, contents: string | Uint8Array): Promise<FileImpl> {
    const path = join(scratchDir(), name);
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, contents);
    return new File(path, basename(name));
  }

  text(): Promise<string> {
    return readFile(this.path, "utf8");
  }

  bytes(): Promise<Uint8Array> {
    return readFile(this.path);
  }

  async json<T = unknown>(): Promise<T> {
    return JSON.parse(await this.text()) as T;
  }

  toString(): string {
    return this.path;
  }
}

/** A directory that travels between tasks, like `File`. */
class DirImpl {
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
  }

  static from(path: string): DirImpl {
    return new Dir(path);
  }

  /** Creates a new empty directory in the running task's scratch space. */
  static async create(name = "dir"): Promise<DirImpl> {
    const path = join(scratchDir(), name);
    await mkdir(path, { recursive: true });
    return new Dir(path);
  }

  get name(): string {
    return basename(this.path);
  }

  /** A file inside this directory (it need not exist yet). */
  file(relativePath: string): FileImpl {
    return new File(join(this.path, relativePath));
  }

  /** Every file below this directory, in a stable (sorted) order. */
  async files(): Promise<FileImpl[]> {
    const entries = await readdir(this.path, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath ?? e.path, e.name))
      .sort((a, b) => relative(this.path, a).split(sep).join("/").localeCompare(relative(this.path, b).split(sep).join("/")))
      .map((p) => new File(p));
  }

  toString(): string {
    return this.path;
  }
}

function scratchDir(): string {
  if (runtime.attempt) return runtime.attempt.scratchDir;
  // Outside the runner (a unit test calling a task): a temp folder per call.
  const call = runtime.directCall.getStore() ?? {};
  return (call.scratchDir ??= mkdtempSync(join(tmpdir(), "aloft-task-")));
}

export const File = sharedClass("File", FileImpl);
export type File = FileImpl;
export const Dir = sharedClass("Dir", DirImpl);
export type Dir = DirImpl;
