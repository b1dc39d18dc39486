/**
 * The one place that talks to the TypeScript 7 native API (an `unstable`
 * surface): an upgrade touches this file only. Everything else in compiler/
 * imports the API's types and enums from here.
 *
 * A `TypeScriptSession` keeps one `tsgo` process alive and its projects
 * loaded, so repeated questions (the language server, a CLI checking many
 * files) pay the start-up once. Files are read from an overlay first (unsaved
 * editor buffers, synthesized tsconfigs), then from disk.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { API } from "typescript/unstable/sync";
import type { Checker, Program, Project, Snapshot } from "typescript/unstable/sync";
import type { SourceFile } from "typescript/unstable/ast";
import { AloftError } from "./errors.ts";

export { DiagnosticCategory, ObjectFlags, SignatureKind, SymbolFlags, TypeFlags } from "typescript/unstable/sync";
export type {
  Checker,
  Diagnostic,
  NodeHandle,
  Program,
  Project,
  Signature,
  Symbol as TsSymbol,
  Type,
  TypeReference,
} from "typescript/unstable/sync";
export { NodeFlags, SyntaxKind } from "typescript/unstable/ast";
/** The AST's type guards (`is.isCallExpression(node)`...) and node types (`ast.Identifier`...). */
export * as is from "typescript/unstable/ast/is";
export type * as ast from "typescript/unstable/ast";
export type {
  CallExpression,
  Expression,
  Node,
  SourceFile,
  VariableDeclaration,
  VariableDeclarationList,
} from "typescript/unstable/ast";

/**
 * A source file opened in the project that type-checks it. Its checker belongs
 * to the session's current snapshot: use it before the next `open()`, which may
 * replace (and dispose) that snapshot.
 */
export interface OpenedFile {
  /** Absolute path. */
  file: string;
  text: string;
  project: Project;
  program: Program;
  checker: Checker;
  sourceFile: SourceFile;
  /** The tsconfig.json the project comes from, or the synthesized one. */
  configFile: string;
  /** True when no tsconfig.json above the file includes it. */
  synthesizedConfig: boolean;
}

/** Options of the project made for a file no tsconfig.json includes. */
const LONE_FILE_OPTIONS = {
  strict: true,
  target: "es2022",
  // Workflow files are bundled with esbuild, so resolve the way a bundler does.
  module: "preserve",
  moduleResolution: "bundler",
  allowImportingTsExtensions: true,
  noEmit: true,
  skipLibCheck: true,
};

interface Fingerprint {
  size: number;
  mtimeMs: number;
}

export class TypeScriptSession {
  readonly #cwd: string;
  readonly #overlay = new Map<string, string>();
  /** Synthesized tsconfigs: served to tsgo, never listed in directories. */
  readonly #virtualConfigs = new Map<string, string>();
  readonly #openedConfigs = new Set<string>();
  /** Snapshot whose sources were last fingerprinted, per project. */
  readonly #trackedAt = new Map<string, number>();
  /** Disk state of the project sources tsgo has read, to notice edits. */
  readonly #fingerprints = new Map<string, Fingerprint | undefined>();
  readonly #changed = new Set<string>();
  readonly #created = new Set<string>();
  readonly #deleted = new Set<string>();
  #api: API | undefined;
  #snapshot: Snapshot | undefined;
  #closed = false;

  constructor(options: { cwd?: string } = {}) {
    this.#cwd = options.cwd ?? process.cwd();
  }

  /** Serves `text` for `file` instead of the disk (an unsaved editor buffer). */
  setOverlay(file: string, text: string): void {
    const path = resolve(file);
    if (this.#overlay.get(path) === text) return;
    if (!this.#overlay.has(path) && !existsSync(path)) this.#created.add(path);
    else this.#changed.add(path);
    this.#overlay.set(path, text);
  }

  /** Goes back to the disk's contents for `file`. */
  deleteOverlay(file: string): void {
    const path = resolve(file);
    if (!this.#overlay.delete(path)) return;
    if (existsSync(path)) this.#changed.add(path);
    else this.#deleted.add(path);
  }

  /**
   * Tells the session files changed on disk. Edits of sources already in a
   * project are noticed without this; new and deleted files are not.
   */
  filesChanged(files: { changed?: string[]; created?: string[]; deleted?: string[] }): void {
    for (const f of files.changed ?? []) this.#changed.add(resolve(f));
    for (const f of files.created ?? []) this.#created.add(resolve(f));
    for (const f of files.deleted ?? []) this.#deleted.add(resolve(f));
  }

  /** The text tsgo sees for `file`: the overlay's, else the disk's. */
  readText(file: string): string | undefined {
    const path = resolve(file);
    const overlaid = this.#overlay.get(path) ?? this.#virtualConfigs.get(path);
    if (overlaid !== undefined) return overlaid;
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  }

  /**
   * Opens `file` in the project of the nearest tsconfig.json above it, or in
   * a strict single-file project when there is none (or it leaves the file out).
   */
  open(file: string): OpenedFile {
    if (this.#closed) throw new Error("TypeScriptSession is closed");
    const path = resolve(file);
    const text = this.readText(path);
    if (text === undefined) {
      throw new AloftError({ code: "FILE_NOT_FOUND", message: `${file}: no such file` });
    }
    this.#noticeDiskEdits();

    const tsconfig = nearestTsconfig(dirname(path), (p) => this.#overlay.has(p) || existsSync(p));
    if (tsconfig) {
      const opened = this.#openIn(path, text, tsconfig, false);
      if (opened) return opened;
    }
    const synthesized = this.#synthesizeConfig(path);
    const opened = this.#openIn(path, text, synthesized, true);
    if (!opened) throw new Error(`tsgo did not load ${path} into its own project ${synthesized}`);
    return opened;
  }

  /** Stops the tsgo process. The session cannot be used afterwards. */
  close(): void {
    this.#closed = true;
    const api = this.#api;
    this.#api = undefined;
    if (!api) return;
    try {
      this.#snapshot?.dispose();
    } catch {
      // the process is gone already
    }
    this.#snapshot = undefined;
    // Closing tsgo's stdin makes it print "context canceled" to our stderr now
    // and then; ending it first keeps a CLI's output clean. The child is
    // private to the API, hence the guarded reach.
    (api as unknown as { client?: { channel?: { child?: { kill(signal: string): void } } } }).client?.channel?.child?.kill("SIGKILL");
    api.close();
  }

  #openIn(path: string, text: string, configFile: string, synthesizedConfig: boolean): OpenedFile | undefined {
    const snapshot = this.#update(configFile);
    const project = snapshot.getProject(configFile);
    const sourceFile = project?.program.getSourceFile(path);
    if (!project || !sourceFile) return undefined;
    this.#track(project, snapshot);
    return {
      file: path,
      text,
      project,
      program: project.program,
      checker: project.checker,
      sourceFile,
      configFile,
      synthesizedConfig,
    };
  }

  /** Makes a new snapshot when a project must open or files changed. */
  #update(configFile: string): Snapshot {
    const mustOpen = !this.#openedConfigs.has(configFile);
    const pending = this.#changed.size + this.#created.size + this.#deleted.size > 0;
    if (this.#snapshot && !mustOpen && !pending) return this.#snapshot;
    const api = (this.#api ??= this.#startApi());
    const fileChanges = pending
      ? { changed: [...this.#changed], created: [...this.#created], deleted: [...this.#deleted] }
      : undefined;
    const next = api.updateSnapshot({
      ...(mustOpen ? { openProjects: [configFile] } : {}),
      ...(fileChanges ? { fileChanges } : {}),
    });
    this.#changed.clear();
    this.#created.clear();
    this.#deleted.clear();
    this.#openedConfigs.add(configFile);
    this.#snapshot?.dispose();
    this.#snapshot = next;
    return next;
  }

  #startApi(): API {
    return new API({
      cwd: this.#cwd,
      fs: {
        readFile: (p) => this.#overlay.get(p) ?? this.#virtualConfigs.get(p),
        fileExists: (p) => (this.#overlay.has(p) || this.#virtualConfigs.has(p) ? true : undefined),
        getAccessibleEntries: (dir) => this.#entriesWithOverlay(dir),
      },
    });
  }

  /** A directory listing that shows unsaved new files, so `include` globs find them. */
  #entriesWithOverlay(dir: string): { files: string[]; directories: string[] } | undefined {
    const added = [...this.#overlay.keys()].filter((p) => dirname(p) === dir).map((p) => basename(p));
    if (!added.length) return undefined;
    const files = new Set(added);
    const directories: string[] = [];
    try {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) directories.push(entry.name);
        else files.add(entry.name);
      }
    } catch {
      // The directory exists only in the overlay.
    }
    return { files: [...files], directories };
  }

  #synthesizeConfig(path: string): string {
    const configFile = join(dirname(path), `.aloft-${basename(path)}.tsconfig.json`);
    const text = JSON.stringify({ compilerOptions: LONE_FILE_OPTIONS, files: [path] });
    if (this.#virtualConfigs.get(configFile) !== text) {
      if (this.#openedConfigs.has(configFile)) this.#changed.add(configFile);
      this.#virtualConfigs.set(configFile, text);
    }
    return configFile;
  }

  /** Remembers the disk state of a project's own sources (not libraries). */
  #track(project: Project, snapshot: Snapshot): void {
    if (this.#trackedAt.get(project.configFileName) === snapshot.id) return;
    this.#trackedAt.set(project.configFileName, snapshot.id);
    for (const name of [project.configFileName, ...project.program.getSourceFileNames()]) {
      const path = resolve(name);
      if (this.#fingerprints.has(path) || isLibraryPath(path) || this.#virtualConfigs.has(path)) continue;
      this.#fingerprints.set(path, fingerprint(path));
    }
  }

  #noticeDiskEdits(): void {
    for (const [path, before] of this.#fingerprints) {
      if (this.#overlay.has(path)) continue;
      const now = fingerprint(path);
      if (now?.size === before?.size && now?.mtimeMs === before?.mtimeMs) continue;
      this.#fingerprints.set(path, now);
      if (!now) this.#deleted.add(path);
      else if (!before) this.#created.add(path);
      else this.#changed.add(path);
    }
  }
}

function nearestTsconfig(dir: string, exists: (path: string) => boolean): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, "tsconfig.json");
    if (exists(candidate)) return candidate;
    if (dirname(current) === current) return undefined;
  }
}

function isLibraryPath(path: string): boolean {
  return /[\\/]node_modules[\\/]/.test(path);
}

function fingerprint(path: string): Fingerprint | undefined {
  try {
    const s = statSync(path);
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return undefined;
  }
}
