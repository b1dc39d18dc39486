/**
 * Recognizes aloft's own declarations (`task`, `workflow`, `dynamic`, `File`,
 * `Dir`) by where they are declared — in the SDK folder of the package named
 * "aloft" — not
 * by name alone, so a user's own `task` helper or `File` class is not mistaken
 * for the SDK's. Lib types (`Promise`, `Date`) are matched the same way.
 */
import { readFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { importKey } from "./import-keys.ts";
import { SymbolFlags, type Checker, type Program, type TsSymbol } from "./ts-api.ts";

export type EntityKind = "task" | "workflow" | "dynamic";
/** The SDK functions a workflow body may call besides entities themselves. */
export type SdkFunction = EntityKind | "map" | "fixed";

const ENTITY_FUNCTIONS = new Set<string>(["task", "workflow", "dynamic"]);
const SDK_FUNCTIONS = new Set<string>([...ENTITY_FUNCTIONS, "map", "fixed"]);
/** The SDK exports `File`/`Dir` as aliases of these classes (see sdk/file.ts). */
const DATA_CLASSES: Record<string, "file" | "dir"> = { File: "file", FileImpl: "file", Dir: "dir", DirImpl: "dir" };

export class SdkDeclarations {
  readonly #sdkFolderOf = new Map<string, string | undefined>();
  readonly #defaultLibrary = new Map<string, boolean>();
  /** What each import (alias symbol) stands for: a file imports `task` once and calls it often. */
  readonly #aliases = new Map<number, TsSymbol | undefined>();
  /** The same, by what the import names (see import-keys.ts): files import `task` alike. */
  readonly #imports = new Map<string, TsSymbol | undefined>();
  /** An alias of each import key whose resolution was asked ahead (see `planAlias`). */
  readonly #planned = new Map<string, TsSymbol>();

  constructor(
    private readonly checker: Checker,
    private readonly program: Program,
  ) {}

  /** Which entity-declaring SDK function `symbol` (after following imports) is, if any. */
  entityFunction(symbol: TsSymbol | undefined): EntityKind | undefined {
    const fn = this.sdkFunction(symbol);
    return fn && ENTITY_FUNCTIONS.has(fn) ? (fn as EntityKind) : undefined;
  }

  /** Which SDK function (`task` ... `map`, `fixed`) `symbol` is, if any. */
  sdkFunction(symbol: TsSymbol | undefined): SdkFunction | undefined {
    const target = symbol && this.resolveAlias(symbol);
    if (!target || !(target.flags & SymbolFlags.Function) || !SDK_FUNCTIONS.has(target.name)) return undefined;
    return this.declaredInAloft(target) ? (target.name as SdkFunction) : undefined;
  }

  /** `file` / `dir` when `symbol` is the SDK's `File` / `Dir` class. */
  dataClass(symbol: TsSymbol | undefined): "file" | "dir" | undefined {
    if (!symbol || !(symbol.flags & SymbolFlags.Class)) return undefined;
    const kind = DATA_CLASSES[symbol.name];
    return kind && this.declaredInAloft(symbol) ? kind : undefined;
  }

  /** True for a global of the default library, like `Promise` or `Date`. */
  isLibraryGlobal(symbol: TsSymbol | undefined, name: string): boolean {
    return !!symbol && symbol.name === name && symbol.declarations.some((d) => this.isDefaultLibrary(d.path));
  }

  /** True when `symbol` is declared by the default library or by @types/node. */
  declaredByPlatform(symbol: TsSymbol | undefined): boolean {
    return (
      !!symbol &&
      symbol.declarations.length > 0 &&
      symbol.declarations.every((d) => this.isDefaultLibrary(d.path) || /[\\/]node_modules[\\/]@types[\\/]node[\\/]/.test(d.path))
    );
  }

  resolveAlias(symbol: TsSymbol): TsSymbol | undefined {
    if (!(symbol.flags & SymbolFlags.Alias)) return symbol;
    if (this.#aliases.has(symbol.id)) return this.#aliases.get(symbol.id);
    const key = importKey(symbol);
    let target: TsSymbol | undefined;
    if (key !== undefined && this.#imports.has(key)) {
      target = this.#imports.get(key);
    } else {
      const aliased = this.checker.getAliasedSymbol((key !== undefined && this.#planned.get(key)) || symbol);
      target = this.checker.isUnknownSymbol(aliased) ? undefined : aliased;
      if (key !== undefined) this.#imports.set(key, target);
    }
    this.#aliases.set(symbol.id, target);
    return target;
  }

  /**
   * The resolution of `alias` was asked of tsgo ahead: resolving any alias of
   * the same import (`importKey`) asks the same question, to find it waiting.
   * Returns false when that import is resolved or planned already.
   */
  planAlias(alias: TsSymbol): boolean {
    const key = importKey(alias);
    if (key === undefined || this.#imports.has(key) || this.#planned.has(key)) return false;
    this.#planned.set(key, alias);
    return true;
  }

  /**
   * True inside the folder of the aloft package's type entry (`sdk/`), not
   * anywhere in the package: this repository's own tests and samples are in
   * the package too, and their helpers are not the SDK.
   */
  #isInAloftSdk(path: string): boolean {
    const sdk = this.#sdkFolder(dirname(path));
    return !!sdk && path.startsWith(sdk + sep);
  }

  declaredInAloft(symbol: TsSymbol): boolean {
    return symbol.declarations.length > 0 && symbol.declarations.every((d) => this.#isInAloftSdk(d.path));
  }

  isDefaultLibrary(path: string): boolean {
    let known = this.#defaultLibrary.get(path);
    if (known === undefined) {
      known = this.program.getSourceFileMetadata(path)?.isDefaultLibrary ?? false;
      this.#defaultLibrary.set(path, known);
    }
    return known;
  }

  /** The folder holding aloft's type entry, when `dir` is inside the aloft package. */
  #sdkFolder(dir: string): string | undefined {
    if (this.#sdkFolderOf.has(dir)) return this.#sdkFolderOf.get(dir);
    let folder: string | undefined;
    const manifest = readManifest(dir);
    if (manifest === undefined) {
      const parent = dirname(dir);
      folder = parent === dir ? undefined : this.#sdkFolder(parent);
    } else if (manifest.name === "aloft") {
      const entry = typesEntry(manifest);
      folder = entry ? dirname(join(dir, entry)) : dir;
    }
    this.#sdkFolderOf.set(dir, folder);
    return folder;
  }
}

interface Manifest {
  name?: unknown;
  types?: unknown;
  typings?: unknown;
  exports?: unknown;
}

/** The package.json in `dir`; `undefined` when there is none. */
function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}

/** Where TypeScript finds the package's types for `import "aloft"`. */
function typesEntry(manifest: Manifest): string | undefined {
  const root = (manifest.exports as Record<string, unknown> | undefined)?.["."] ?? manifest.exports;
  if (typeof root === "string") return root;
  const types = (root as Record<string, unknown> | undefined)?.["types"];
  if (typeof types === "string") return types;
  for (const field of [manifest.types, manifest.typings]) if (typeof field === "string") return field;
  return undefined;
}
