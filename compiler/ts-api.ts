/**
 * The one place that talks to the TypeScript 7 native API (an `unstable`
 * surface): an upgrade touches this file and the four under it only
 * (api-over-connection.ts, tsgo-connection.ts, the transport, tsgo-start.ts,
 * and syntax-scan.ts, which reads the API's encoded syntax trees).
 * Everything else in compiler/ imports the API's types and enums from here.
 *
 * A `TypeScriptSession` keeps one `tsgo` process alive and its projects
 * loaded, so repeated questions (the language server, a CLI checking many
 * files) pay the start-up once. Files are read from an overlay first (unsaved
 * editor buffers, synthesized tsconfigs), then from disk. tsgo answers
 * concurrently: a file's or a program's type errors are computed while the
 * session's other questions are answered (`semanticDiagnosticsLater`), and
 * questions known ahead are sent at once (`prime…`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { API } from "typescript/unstable/sync";
import type { Checker, Diagnostic, Program, Project, Snapshot, Symbol as TsSymbol } from "typescript/unstable/sync";
import { NodeFlags, SyntaxKind } from "typescript/unstable/ast";
import type { Node, SourceFile } from "typescript/unstable/ast";
import { AloftError } from "./errors.ts";
import { apiOver } from "./api-over-connection.ts";
import { TsgoConnection, type SentRequest, type TsgoCallback } from "./tsgo-connection.ts";
import { nearestTsconfig, oneShotTsgoEnv, questionKey, tsgoExecutable, type StartedTsgo } from "./tsgo-start.ts";

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
export { NodeFlags, SyntaxKind };
export { callsWithArguments, nodesOfKind } from "./syntax-scan.ts";
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

/**
 * TypeScript's errors for a file or a whole program, asked of tsgo now and
 * collected later: tsgo computes them on its diagnostics checker while the
 * session's other questions go on.
 */
export interface PendingDiagnostics {
  /** Waits for the answer (at once if it came already). */
  collect(): readonly Diagnostic[];
  /** The answer is not wanted any more. */
  abandon(): void;
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
  #connection: TsgoConnection | undefined;
  /** Questions sent ahead (see #prime), by questionKey. */
  readonly #primed = new Map<string, SentRequest>();
  #snapshot: Snapshot | undefined;
  #closed = false;
  readonly #overlays: boolean;
  readonly #oneShot: boolean;
  /** Whether the running tsgo asks us for files (see #startApi). */
  #servesFiles = false;
  readonly #sourceFileNames = new WeakMap<Project, readonly string[]>();
  /** A tsgo started ahead (see tsgo-start.ts), until the session adopts it. */
  #started: StartedTsgo | undefined;

  /**
   * `overlays: false` says nothing will be served instead of the disk (a CLI
   * check): tsgo then loads projects faster, reading files itself. Should an
   * overlay or a synthesized tsconfig be needed after all, tsgo is restarted
   * with the callbacks that serve them. `started`: a tsgo started ahead
   * for this session (`startTsgo`, with overlays false), adopted at first use.
   * `oneShot`: the session answers one check and closes, so its tsgo runs
   * with the garbage collection of a process that ends soon (`oneShotTsgoEnv`).
   */
  constructor(options: { cwd?: string; overlays?: boolean; oneShot?: boolean; started?: StartedTsgo } = {}) {
    this.#cwd = options.cwd ?? options.started?.cwd ?? process.cwd();
    this.#overlays = options.overlays ?? true;
    this.#oneShot = options.oneShot ?? false;
    this.#started = options.started;
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
    return this.openAll([file])[0]!;
  }

  /**
   * Opens several files in one snapshot, so that all of them can be read
   * together (their checkers stay valid until the next `open`/`openAll`).
   * A file its tsconfig.json leaves out is found only after its project is
   * loaded, and opened in a project of its own, of another snapshot.
   */
  openAll(files: readonly string[]): OpenedFile[] {
    if (this.#closed) throw new Error("TypeScriptSession is closed");
    const wanted = files.map((file) => {
      const path = resolve(file);
      const text = this.readText(path);
      if (text === undefined) {
        throw new AloftError({ code: "FILE_NOT_FOUND", message: `${file}: no such file` });
      }
      const tsconfig = nearestTsconfig(dirname(path), (p) => this.#overlay.has(p) || existsSync(p));
      return { path, text, tsconfig };
    });
    this.#noticeDiskEdits();

    this.#abandonPrimed();
    // A file no tsconfig.json includes is checked in a project of its own.
    const synthesized = new Map(wanted.filter((w) => !w.tsconfig).map((w) => [w.path, this.#synthesizeConfig(w.path)]));
    const configs = [...new Set(wanted.map((w) => synthesized.get(w.path) ?? w.tsconfig!))];
    let snapshot = this.#update(configs);
    const byProject = new Map<Project, string[]>();
    for (const { path, tsconfig } of wanted) {
      const project = snapshot.getProject(synthesized.get(path) ?? tsconfig!);
      if (project) byProject.set(project, [...(byProject.get(project) ?? []), path]);
    }
    // Many files: which ones their project holds is known from its file list, before any syntax tree is
    // asked for; then the trees are asked for at once, and each file is read as its tree comes (see #openIn).
    // tsgo answers in turn: what reading asks of every project (its file list, the checker's
    // well-known symbols) is asked before the trees, not queued behind them.
    const listed = new Map<Project, Set<string>>();
    if (wanted.length > 1) {
      for (const project of byProject.keys()) {
        this.#prime("getWellKnownSymbols", { snapshot: snapshot.id, project: project.id });
        listed.set(project, new Set(this.sourceFileNames(project)));
      }
      for (const [project, paths] of byProject) {
        const inProject = paths.filter((file) => listed.get(project)!.has(file));
        this.#primeAll("getSourceFile", inProject.map((file) => ({ snapshot: snapshot.id, project: project.id, file })));
      }
    }
    const inProgram = (project: Project | undefined, path: string) =>
      // A file not listed as it is written is asked for as the API names it (letter case, links).
      !!project && (listed.get(project)?.has(path) || !!project.program.getSourceFile(path));
    const leftOut = wanted.filter((w) => w.tsconfig && !synthesized.has(w.path) && !inProgram(snapshot.getProject(w.tsconfig), w.path));
    for (const w of leftOut) synthesized.set(w.path, this.#synthesizeConfig(w.path));
    if (leftOut.length) {
      snapshot = this.#update(leftOut.map((w) => synthesized.get(w.path)!));
    }

    return wanted.map(({ path, text, tsconfig }) => {
      const own = synthesized.get(path);
      const configFile = own ?? tsconfig!;
      const opened = this.#openIn(snapshot, path, text, configFile, own !== undefined);
      if (!opened) throw new Error(`tsgo did not load ${path} into ${own ? "its own project" : "the project of"} ${configFile}`);
      return opened;
    });
  }

  /** The files of `project`'s program, asked once per project (of a snapshot). */
  sourceFileNames(project: Project): readonly string[] {
    let names = this.#sourceFileNames.get(project);
    if (!names) this.#sourceFileNames.set(project, (names = project.program.getSourceFileNames()));
    return names;
  }

  /**
   * Starts TypeScript's semantic errors of `file`, or of every file of the
   * project's program when `file` is left out, in the background: tsgo works
   * on them while the session answers other questions. The snapshot must stay
   * the current one until they are collected (no `open` in between).
   */
  semanticDiagnosticsLater(project: Project, file?: string): PendingDiagnostics {
    const connection = this.#connection;
    const snapshot = this.#snapshot;
    if (!connection || !snapshot) throw new Error("semanticDiagnosticsLater needs an opened file");
    const sent = connection.send("getSemanticDiagnostics", {
      snapshot: snapshot.id,
      project: project.id,
      ...(file !== undefined ? { file } : {}),
    });
    let answer: readonly Diagnostic[] | undefined;
    return {
      collect: () => (answer ??= ((connection.receive(sent) as Diagnostic[] | undefined) ?? [])),
      abandon: () => {
        if (answer === undefined) connection.abandon(sent);
      },
    };
  }

  /**
   * Asks for the exports of several modules at once (`checker.getExportsOfModule`
   * then finds each answer waiting). Only for modules without `export =` or
   * `export *`: their exports are then the module's own symbols, and listing
   * them creates no types, whatever order tsgo answers in.
   */
  primeExportsOfModules(project: Project, modules: readonly { symbol: TsSymbol; sourceFile: SourceFile }[]): void {
    const snapshot = this.#snapshot;
    if (!snapshot) return;
    const plain = modules.filter(({ sourceFile }) =>
      sourceFile.statements.every(
        (s) =>
          !(s.kind === SyntaxKind.ExportAssignment && (s as Node & { isExportEquals?: boolean }).isExportEquals) &&
          !(s.kind === SyntaxKind.ExportDeclaration && !(s as Node & { exportClause?: Node }).exportClause),
      ),
    );
    this.#primeAll("getExportsOfModule", plain.map(({ symbol }) => ({ snapshot: snapshot.id, project: project.id, symbol: symbol.id })));
  }

  /**
   * Asks for the syntax errors of several files at once (`program.getSyntacticDiagnostics(file)`
   * then finds each answer waiting). The parser found them already: asking creates no types.
   */
  primeSyntacticDiagnostics(project: Project, files: readonly string[]): void {
    const snapshot = this.#snapshot;
    if (!snapshot) return;
    this.#primeAll("getSyntacticDiagnostics", files.map((file) => ({ snapshot: snapshot.id, project: project.id, file })));
  }

  /**
   * Asks for the symbols at `nodes` now (`checker.getSymbolAtLocation` of the same
   * nodes, in the same order, then finds the answer waiting), so that work asking
   * tsgo nothing goes on while tsgo answers. Nothing else may be asked before the
   * answer is collected: the checker can create types as it answers.
   */
  primeSymbolsAtLocations(project: Project, nodes: readonly Node[]): void {
    const snapshot = this.#snapshot;
    if (!snapshot || !nodes.length) return;
    // A node's id is how the API names it to tsgo (its `getNodeId`).
    const locations = nodes.map((node) => (node as Node & { id: string }).id);
    this.#prime("getSymbolsAtLocations", { snapshot: snapshot.id, project: project.id, locations });
  }

  /**
   * Asks for the targets of several aliases at once (`checker.getAliasedSymbol`
   * then finds each answer waiting). Only for aliases whose resolution creates
   * no types (see import-keys.ts), so the order tsgo answers in does not matter.
   */
  primeAliasedSymbols(project: Project, aliases: readonly TsSymbol[]): void {
    const snapshot = this.#snapshot;
    if (!snapshot) return;
    this.#primeAll("getAliasedSymbol", aliases.map((alias) => ({ snapshot: snapshot.id, project: project.id, symbol: alias.id })));
  }

  /**
   * Sends a question now, for the API's own call asking it (same method, same
   * parameters) to find the answer waiting. Only for questions whose answers
   * do not depend on what tsgo is asked before them: the checker creates types
   * as it answers, and concurrent questions would create them in any order.
   */
  #prime(method: string, params: object): void {
    this.#primeAll(method, [params]);
  }

  /** `#prime` of several questions of one method, written to tsgo at once. */
  #primeAll(method: string, paramsList: readonly object[]): void {
    if (!this.#connection) return;
    const keys = new Set<string>();
    const fresh: object[] = [];
    for (const params of paramsList) {
      const key = questionKey(method, params);
      if (this.#primed.has(key) || keys.has(key)) continue;
      keys.add(key);
      fresh.push(params);
    }
    if (!fresh.length) return;
    const sent = this.#connection.sendAll(method, fresh);
    [...keys].forEach((key, i) => this.#primed.set(key, sent[i]!));
  }

  #abandonPrimed(): void {
    for (const sent of this.#primed.values()) this.#connection?.abandon(sent);
    this.#primed.clear();
  }

  /** Stops the tsgo process. The session cannot be used afterwards. */
  close(): void {
    this.#closed = true;
    // Ending tsgo is all the cleanup there is: releasing its snapshots first
    // would only be more requests to a process about to go.
    this.#primed.clear();
    this.#connection?.close();
    this.#connection = undefined;
    this.#started?.connection.close();
    this.#started = undefined;
    this.#api = undefined;
    this.#snapshot = undefined;
  }

  #openIn(snapshot: Snapshot, path: string, text: string, configFile: string, synthesizedConfig: boolean): OpenedFile | undefined {
    const project = snapshot.getProject(configFile);
    if (!project) return undefined;
    this.#track(project, snapshot);
    decodeAsciiQuickly(project.program);
    let sourceFile: SourceFile | undefined;
    return {
      file: path,
      text,
      project,
      program: project.program,
      checker: project.checker,
      // Fetched when first read: files opened together are read in turn while tsgo still sends the later ones.
      get sourceFile(): SourceFile {
        if (sourceFile) return sourceFile;
        sourceFile = project.program.getSourceFile(path);
        if (!sourceFile) throw new Error(`tsgo did not load ${path} into ${synthesizedConfig ? "its own project" : "the project of"} ${configFile}`);
        keepNames(sourceFile);
        return sourceFile;
      },
      configFile,
      synthesizedConfig,
    };
  }

  /** Makes a new snapshot when projects must open or files changed. */
  #update(configFiles: readonly string[]): Snapshot {
    if (this.#api && !this.#servesFiles && this.#mustServeFiles()) {
      const reopen = [...this.#openedConfigs];
      this.#stopApi();
      configFiles = [...new Set([...reopen, ...configFiles])];
    }
    const toOpen = configFiles.filter((c) => !this.#openedConfigs.has(c));
    const pending = this.#changed.size + this.#created.size + this.#deleted.size > 0;
    if (this.#snapshot && !toOpen.length && !pending) return this.#snapshot;
    const api = (this.#api ??= this.#startApi());
    const fileChanges = pending
      ? { changed: [...this.#changed], created: [...this.#created], deleted: [...this.#deleted] }
      : undefined;
    const next = api.updateSnapshot({
      ...(toOpen.length ? { openProjects: toOpen } : {}),
      ...(fileChanges ? { fileChanges } : {}),
    });
    this.#changed.clear();
    this.#created.clear();
    this.#deleted.clear();
    for (const c of toOpen) this.#openedConfigs.add(c);
    this.#snapshot?.dispose();
    this.#snapshot = next;
    return next;
  }

  #mustServeFiles(): boolean {
    return this.#overlay.size > 0 || this.#virtualConfigs.size > 0;
  }

  /** Ends tsgo; the next #update starts a fresh one, which reads every file anew. */
  #stopApi(): void {
    this.#abandonPrimed();
    this.#connection?.close();
    this.#connection = undefined;
    this.#api = undefined;
    this.#snapshot = undefined;
    this.#openedConfigs.clear();
    this.#trackedAt.clear();
    this.#changed.clear();
    this.#created.clear();
    this.#deleted.clear();
  }

  #startApi(): API {
    const callbacks = new Map<string, TsgoCallback>([
      // `{ content }` serves the text; null lets tsgo read the disk.
      ["readFile", (p) => {
        const text = this.#overlay.get(p as string) ?? this.#virtualConfigs.get(p as string);
        return text === undefined ? null : { content: text };
      }],
      ["fileExists", (p) => (this.#overlay.has(p as string) || this.#virtualConfigs.has(p as string) ? true : null)],
      ["getAccessibleEntries", (dir) => this.#entriesWithOverlay(dir as string) ?? null],
    ]);
    // Without them tsgo reads the disk itself, in parallel, instead of asking us for every file it loads.
    this.#servesFiles = this.#overlays || this.#mustServeFiles();
    const started = this.#started;
    this.#started = undefined;
    if (started && !this.#servesFiles && started.cwd === this.#cwd) {
      this.#connection = started.connection;
      for (const [key, sent] of started.questions) this.#primed.set(key, sent);
    } else {
      started?.connection.close();
      const env = this.#oneShot ? oneShotTsgoEnv() : process.env;
      this.#connection = new TsgoConnection(tsgoExecutable(), ["--cwd", this.#cwd], this.#servesFiles ? callbacks : new Map(), env);
    }
    return apiOver(this.#connection, this.#primed);
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
    for (const name of [project.configFileName, ...this.sourceFileNames(project)]) {
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

/**
 * The API decodes a source file's `fileName` and `path` from the encoded
 * tree's strings each time they are read, and every node's handle (its `id`,
 * sent with each question about it) reads `path`: the opened files' own are
 * kept, as they were first read.
 */
function keepNames(sourceFile: SourceFile): void {
  Object.defineProperties(sourceFile, {
    fileName: { value: sourceFile.fileName },
    path: { value: (sourceFile as SourceFile & { path: string }).path },
  });
}

interface StringDecoder {
  decode(bytes: Uint8Array): string;
}
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;
const asciiDecoders = new WeakSet<object>();

/**
 * The API reads every string of a syntax tree (names, literals, file names)
 * through its program's decoder, which handles the WTF-8 tsgo writes by way
 * of a TextDecoder and two buffer views per string: most of the strings are
 * short and ASCII, which one byte each says. Those are read as they are;
 * any other goes to the API's own decoder.
 */
function decodeAsciiQuickly(program: Program): void {
  const holder = program as unknown as { decoder?: StringDecoder };
  const own = holder.decoder;
  if (!own || typeof own.decode !== "function" || asciiDecoders.has(own)) return;
  const quick: StringDecoder = {
    decode(bytes) {
      for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return own.decode(bytes);
      return latin1Slice.call(bytes, 0, bytes.length);
    },
  };
  asciiDecoders.add(quick);
  holder.decoder = quick;
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
