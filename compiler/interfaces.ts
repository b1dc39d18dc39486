/**
 * Reads, without running anything, the entities a workflow file exports and
 * their typed interfaces: each exported top-level `const` initialized by a
 * call to aloft's `task`, `workflow` or `dynamic`.
 */
import { rangeToPositions, type CompilerDiagnostic } from "./diagnostics.ts";
import type { DataTypeReader, NotData } from "./data-types.ts";
import type { WrittenTypeReader } from "./written-types.ts";
import type { EntityKind, SdkDeclarations } from "./sdk-declarations.ts";
import type { EntityInterface, FieldSpec, TypeSpec } from "./type-spec.ts";
import {
  NodeFlags,
  SignatureKind,
  SyntaxKind,
  TypeScriptSession,
  type CallExpression,
  type Expression,
  type Node,
  type NodeHandle,
  type OpenedFile,
  type Program,
  type Project,
  type TsSymbol,
  type Type,
  type TypeReference,
  type VariableDeclaration,
} from "./ts-api.ts";
import { TypeErrorsLater } from "./typescript-diagnostics.ts";
import { CallResolver, describeTarget } from "./call-targets.ts";
import { checkEntityOptions, checkMapOptions, OPTION_CODES } from "./entity-options.ts";
import { nodeUpstream, upstreamOf, type Graph } from "./graph.ts";
import { isEmptyOutput, readStaticGraph, type StaticGraph } from "./static-graph.ts";
import { rewriteWiringDiagnostics } from "./wiring-messages.ts";
import { checkEntityBody, type Report } from "./workflow-rules.ts";
import { isFunctionLike } from "./ast-helpers.ts";
import type { CheckerCache } from "./checker-cache.ts";
import { entityCallOf, prefetchFacts, primeTopLevels, ProjectFacts, type FileIndex } from "./project-facts.ts";

export interface EntityReading {
  entities: EntityInterface[];
  /** TypeScript's diagnostics for the file, then aloft's, in source order. */
  diagnostics: CompilerDiagnostic[];
  /**
   * Files on disk the answer depends on (the project's sources, declaration
   * files of dependencies, its tsconfig), so a cache knows when it is stale.
   */
  sources: string[];
  /** The graph of each exported workflow, read from its body without running it. */
  graphs: Record<string, Graph>;
  /** Why a workflow has no static graph (its body breaks a rule, or is beyond the static reading). */
  graphsUnavailable: Record<string, string>;
}

const DATA_KINDS = "strings, numbers, booleans, null, arrays, plain records, Date, File and Dir";

/**
 * Reads `file`'s entities, checks their bodies and reads each workflow's graph.
 * Pass a long-lived `session` to reuse its TypeScript process and loaded
 * projects; without one, a session is opened and closed. Throws an
 * `AloftError` (`FILE_NOT_FOUND`) when the file does not exist.
 */
export function readEntities(file: string, session?: TypeScriptSession): EntityReading {
  return readEntitiesOfFiles([file], session)[0]!;
}

/**
 * `readEntities` of several files, in one snapshot of their projects: what
 * the files share (libraries, the SDK, the project's file list) is asked of
 * tsgo once, and TypeScript's errors of the files are computed by tsgo in the
 * background while their entities are read.
 */
export function readEntitiesOfFiles(files: readonly string[], session?: TypeScriptSession, options: ReadOptions = {}): EntityReading[] {
  if (!session) {
    const own = new TypeScriptSession({ overlays: false, oneShot: true });
    try {
      return readEntitiesOfFiles(files, own, options);
    } finally {
      own.close();
    }
  }
  const typeErrors = new TypeErrorsLater(session);
  try {
    const opened = session.openAll(files);
    const sharedBy = new Map<Project, ProjectFacts>();
    const withShared = opened.map((o) => {
      let shared = sharedBy.get(o.project);
      if (!shared) sharedBy.set(o.project, (shared = new ProjectFacts(o.project, options)));
      return { opened: o, shared };
    });
    // TypeScript's errors first: their check is the longest single piece of work, on a checker of
    // its own, and it goes on while the trees come and aloft reads them.
    typeErrors.start(opened);
    const topLevels = primeTopLevels(withShared, session);
    const indexes = prefetchFacts(withShared, session, topLevels);
    const sourcesOf = new Map<Program, string[]>();
    // Every file's own reading first: tsgo finds the type errors meanwhile.
    const readings = withShared.map(({ opened, shared }) => readOpenedFile(opened, shared, indexes.get(opened)!));
    return readings.map((reading) => {
      const { opened } = reading;
      const tsDiagnostics = rewriteWiringDiagnostics(typeErrors.of(opened), opened, reading.calls, reading.types);
      const diagnostics = [...tsDiagnostics, ...reading.diagnostics];
      dropExplainedTypeErrors(diagnostics, reading.bodyErrors);
      const rank = (d: CompilerDiagnostic) => (d.file === opened.file ? "" : d.file);
      diagnostics.sort((a, b) => rank(a).localeCompare(rank(b)) || a.line - b.line || a.column - b.column);
      let programSources = sourcesOf.get(opened.program);
      if (!programSources) {
        programSources = session.sourceFileNames(opened.project).filter((name) => !/[\\/]node_modules[\\/]typescript[\\/]/.test(name));
        sourcesOf.set(opened.program, programSources);
      }
      const sources = opened.synthesizedConfig ? [...programSources] : [...programSources, opened.configFile];
      return { entities: reading.entities, diagnostics, sources, graphs: reading.graphs, graphsUnavailable: reading.graphsUnavailable };
    });
  } finally {
    typeErrors.abandon();
  }
}

export interface ReadOptions {
  /** False reads every type annotation through the checker's types, never off its syntax (tests hold both ways equal). */
  writtenTypes?: boolean;
}

/** What aloft reads in one file on its own; TypeScript's errors join it afterwards. */
interface OpenedFileReading extends Pick<EntityReading, "entities" | "graphs" | "graphsUnavailable"> {
  opened: OpenedFile;
  calls: CallResolver;
  types: DataTypeReader;
  /** aloft's own diagnostics, in the order they were found. */
  diagnostics: CompilerDiagnostic[];
  /** The errors of workflow and dynamic bodies: TypeScript's complaints inside them repeat them. */
  bodyErrors: CompilerDiagnostic[];
}

function readOpenedFile(opened: OpenedFile, shared: ProjectFacts, index: FileIndex): OpenedFileReading {
  const reader = new EntityReader(opened, shared);
  const entities = reader.read();
  const calls = new CallResolver(opened, reader.sdk, reader.facts, reader.sites, (e) => reader.entityCall(e));
  const diagnostics = [...reader.diagnostics];
  const bodyErrors: CompilerDiagnostic[] = [];
  const report: Report = (at, severity, code, message) => {
    const d: CompilerDiagnostic = { file: opened.file, ...rangeToPositions(opened.text, at.getStart(opened.sourceFile), at.end), severity, code, message };
    diagnostics.push(d);
    if (severity === "error") bodyErrors.push(d);
  };

  diagnostics.push(...checkOptions(opened, reader.sites, calls, index));
  const graphs: Record<string, Graph> = {};
  const graphsUnavailable: Record<string, string> = {};
  for (const site of reader.sites) {
    if (site.entity.kind === "task") continue;
    checkEntityBody(opened, site, calls, reader.sdk, report);
    if (site.entity.kind !== "workflow") continue;
    const reading = readStaticGraph(opened, site, calls);
    if ("ok" in reading) {
      graphs[site.entity.name] = reading.ok.graph;
      warnUnusedOutputs(reading.ok, site, reader.sites, report);
    } else {
      graphsUnavailable[site.entity.name] = reading.unavailable;
    }
  }
  return { opened, entities, calls, types: reader.types, diagnostics, bodyErrors, graphs, graphsUnavailable };
}

/** The options of each task and of each `map(task, options)` in the file, as Kubernetes and the runner will read them. */
function checkOptions(opened: OpenedFile, sites: readonly EntitySite[], calls: CallResolver, index: FileIndex): CompilerDiagnostic[] {
  const found: CompilerDiagnostic[] = [];
  for (const site of sites) {
    const [options, fn] = site.call.arguments;
    if (options && fn) found.push(...checkEntityOptions(opened, options, `${site.entity.kind} "${site.entity.name}"`));
  }
  for (const node of index.callsWithOptions) {
    const target = calls.targetOf(node);
    if (target.kind === "sdk" && target.fn === "map") {
      const made = calls.targetOfExpression(node);
      const task = made.kind === "map" ? describeTarget(made.task) : undefined;
      found.push(...checkMapOptions(opened, node.arguments[1]!, task ? `map over ${task}` : "map(...)"));
    }
  }
  return found;
}

/** "Object literal may only specify known properties", with and without its "did you mean". */
const EXCESS_PROPERTY = new Set(["TS2353", "TS2561"]);

/**
 * TypeScript's complaint inside code a workflow rule already reported
 * (`Property 'length' does not exist on type 'Promise<number[]>'` where aloft
 * says the workflow reads a field of an output) repeats it less clearly, as
 * does its excess-property error on an option key aloft reports unknown
 * (with the fix). The file stays rejected: aloft's error is there.
 */
function dropExplainedTypeErrors(diagnostics: CompilerDiagnostic[], bodyErrors: readonly CompilerDiagnostic[]): void {
  const before = (a: { line: number; column: number }, b: { line: number; column: number }) => a.line < b.line || (a.line === b.line && a.column <= b.column);
  const unknownOptions = diagnostics.filter((d) => d.code === OPTION_CODES.unknown);
  const explained = (d: CompilerDiagnostic) =>
    (d.code.startsWith("TS") &&
      bodyErrors.some((e) => e.file === d.file && before(e, d) && before({ line: d.line, column: d.column }, { line: e.endLine, column: e.endColumn }))) ||
    (EXCESS_PROPERTY.has(d.code) && unknownOptions.some((o) => o.file === d.file && o.line === d.line && o.column === d.column));
  for (let i = diagnostics.length - 1; i >= 0; i--) if (explained(diagnostics[i]!)) diagnostics.splice(i, 1);
}

/** A call whose output nothing reads: work done for nothing, or a wire forgotten. */
function warnUnusedOutputs(read: StaticGraph, site: EntitySite, sites: readonly EntitySite[], report: Report): void {
  const used = upstreamOf(read.graph.output);
  for (const node of read.graph.nodes) nodeUpstream(node).forEach((id) => used.add(id));
  for (const node of read.graph.nodes) {
    if (used.has(node.id)) continue;
    const output = sites.find((s) => s.entity.name === node.entity)?.entity.output;
    if (!output || isEmptyOutput(output)) continue;
    const call = read.calls.get(node.id);
    if (!call) continue;
    const callee = node.kind === "map" ? `map over task "${node.entity}"` : `${node.kind} "${node.entity}"`;
    report(call, "warning", "ALOFT_UNUSED_OUTPUT", `the output of ${callee} is never used in ${site.entity.kind} "${site.entity.name}": no call takes it and the workflow does not return it; pass it on or return it, or remove the call`);
  }
}

/** Where an exported entity is declared, for the passes that read its body and its calls. */
export interface EntitySite {
  entity: EntityInterface;
  /** The `task(...)` / `workflow(...)` / `dynamic(...)` call. */
  call: CallExpression;
  /** The resolved symbol of the entity's declaration: calls to it resolve to the same id. */
  symbolId: number;
}

export class EntityReader {
  readonly diagnostics: CompilerDiagnostic[] = [];
  readonly sites: EntitySite[] = [];
  readonly sdk: SdkDeclarations;
  readonly types: DataTypeReader;
  readonly facts: CheckerCache;
  readonly #sdk: SdkDeclarations;
  readonly #types: DataTypeReader;
  readonly #written: WrittenTypeReader;
  readonly #shared: ProjectFacts;
  /** Export name of each entity seen, by symbol id, to catch one entity exported twice. */
  readonly #exportedAs = new Map<number, string>();

  constructor(
    private readonly opened: OpenedFile,
    shared: ProjectFacts,
  ) {
    this.#sdk = this.sdk = shared.sdk;
    this.facts = shared.facts;
    this.#types = this.types = shared.types;
    this.#written = shared.written;
    this.#shared = shared;
  }

  read(): EntityInterface[] {
    const { checker, sourceFile } = this.opened;
    const moduleSymbol = this.facts.symbolAt(sourceFile);
    if (!moduleSymbol) return []; // a script: it exports nothing
    const entities: EntityInterface[] = [];
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const entity = this.#readExport(exported);
      if (entity) entities.push(entity);
    }
    return entities.sort((a, b) => a.line - b.line);
  }

  #readExport(exported: TsSymbol): EntityInterface | undefined {
    const target = this.#sdk.resolveAlias(exported);
    if (!target) return undefined;
    const handle = target.valueDeclaration ?? target.declarations[0];
    if (!handle) return undefined;
    const declaration = handle.resolve(this.opened.project);
    if (!declaration) return undefined;
    // Where the export is written in this file: the declaration, `export { x }`
    // or, for a name that comes through `export * from`, that statement.
    const exportSite = this.#nodeInFile(exported.declarations[0]) ?? this.#exportStarSite() ?? this.opened.sourceFile;
    const name = exported.name;

    if (declaration.kind === SyntaxKind.ExportAssignment) {
      const kind = this.entityCall((declaration as Node & { expression: Expression }).expression)?.kind;
      if (kind) this.#warnNotConst(exportSite, `the default export is a ${kind}`);
      return undefined;
    }
    if (declaration.kind !== SyntaxKind.VariableDeclaration) return undefined;
    const variable = declaration as VariableDeclaration;
    const call = variable.initializer && this.entityCall(variable.initializer);
    if (!call) return undefined;

    const list = variable.parent;
    const statement = list.parent;
    const isTopLevelConst =
      !!(list.flags & NodeFlags.Const) &&
      statement.kind === SyntaxKind.VariableStatement &&
      statement.parent.kind === SyntaxKind.SourceFile;
    if (!isTopLevelConst) {
      this.#warnNotConst(exportSite, `"${name}" is a ${call.kind} but not a top-level const`);
      return undefined;
    }
    // Code lenses sit on the declaration when it is in this file, else on the export.
    const at = this.#inFile(declaration) ? variable.name : exportSite;
    const first = this.#exportedAs.get(target.id);
    if (first !== undefined) {
      this.#report(
        (exportSite as Node & { name?: Node }).name ?? exportSite,
        "error",
        "ALOFT_DUPLICATE_ENTITY",
        `${call.kind} "${first}" is exported a second time, as "${name}"; the runner names an entity by its export, so it must have one name: export it once`,
      );
      return undefined;
    }
    this.#exportedAs.set(target.id, name);
    const entity: EntityInterface = {
      name,
      kind: call.kind,
      ...this.#interfaceOf(name, call.kind, call.node, at, this.#inFile(declaration)),
      line: this.#positions(at).line,
    };
    this.sites.push({ entity, call: call.node, symbolId: target.id });
    return entity;
  }

  /** The call, when `expression` calls aloft's `task`, `workflow` or `dynamic`. */
  entityCall(expression: Expression): { kind: EntityKind; node: CallExpression } | undefined {
    return entityCallOf(expression, this.#shared);
  }

  /** `declaredHere`: false for an entity re-exported from another file, whose own file gets its warnings. */
  #interfaceOf(name: string, kind: EntityKind, call: CallExpression, at: Node, declaredHere: boolean): Pick<EntityInterface, "inputs" | "output"> {
    const { checker } = this.opened;
    const fn = call.arguments[call.arguments.length - 1];
    const outputDepth = kind === "task" ? 1 : 2;
    let inputType: Type | undefined;
    let outputType: Type | undefined;
    // Specs read off written annotations, when their syntax settles them (see written-types.ts).
    let inputSpec: TypeSpec | undefined;
    let outputSpec: TypeSpec | undefined;
    // A generic function's annotations name its type parameters: only the checker knows them.
    const generic = !!(fn && isFunctionLike(fn) && fn.typeParameters?.length);
    const readWritten = (annotation: Node, awaitDepth: number) => (generic ? undefined : this.#written.read(annotation, annotation.getSourceFile(), awaitDepth));
    // Read off the function itself: when its input type breaks the SDK's
    // `Inputs` constraint, TypeScript falls back to the constraint in `Task<I, O>`.
    // Written types come from the prefetched annotations; only inferred ones need the signature.
    const written = fn && isFunctionLike(fn) ? { input: fn.parameters[0]?.type, output: fn.type, none: !fn.parameters.length } : undefined;
    const inputWritten = written?.input ?? (written?.none ? null : undefined);
    if (inputWritten !== undefined && written?.output) {
      inputSpec = inputWritten ? readWritten(inputWritten, 0) : undefined;
      outputSpec = readWritten(written.output, outputDepth);
      inputType = inputWritten && !inputSpec ? this.facts.typeAt(inputWritten) : undefined;
      outputType = outputSpec ? undefined : this.facts.typeAt(written.output);
    } else if (kind === "workflow" && inputWritten !== undefined && !generic && (outputSpec = this.#workflowOutput(fn))) {
      // The output read off the body's calls (workflow-outputs.ts); the input as written.
      inputSpec = inputWritten ? readWritten(inputWritten, 0) : undefined;
      inputType = inputWritten && !inputSpec ? this.facts.typeAt(inputWritten) : undefined;
    } else {
      const fnType = fn && this.facts.typeAt(fn);
      const signature = fnType && checker.getSignaturesOfType(fnType, SignatureKind.Call)[0];
      if (signature) {
        if (inputWritten !== undefined) {
          inputSpec = inputWritten ? readWritten(inputWritten, 0) : undefined;
          inputType = inputWritten && !inputSpec ? this.facts.typeAt(inputWritten) : undefined;
        } else {
          const parameter = signature.getParameters()[0];
          inputType = parameter && checker.getTypeOfSymbol(parameter);
        }
        outputType = checker.getReturnTypeOfSignature(signature);
      } else {
        [inputType, outputType] = this.#entityTypeArguments(call);
      }
    }
    const subject = `${kind} "${name}"`;

    let inputs: Record<string, FieldSpec> = {};
    const notRecord = (type: Type | undefined) =>
      this.#report(at, "error", "ALOFT_INPUTS_NOT_RECORD", `the inputs of ${subject} must be one object of named inputs, like ({ x }: { x: number }); found a parameter of type ${type ? checker.typeToString(type) : "?"}`);
    if (inputSpec) {
      if (inputSpec.kind === "record") inputs = inputSpec.fields;
      else if (inputSpec.kind !== "any") notRecord(inputWritten ? this.facts.typeAt(inputWritten) : undefined);
    } else if (inputType) {
      const { spec, problems } = this.#types.read(inputType);
      this.#reportNotData(problems, (path) => (path.length ? `input "${path.join(".")}" of ${subject}` : `the inputs of ${subject}`), at, { loose: declaredHere, side: "input" });
      if (spec.kind === "record") inputs = spec.fields;
      else if (spec.kind !== "any") notRecord(inputType);
    }
    let output: TypeSpec = outputSpec ?? { kind: "any" };
    if (!outputSpec && outputType) {
      // A workflow may return a record of promised outputs: `{ total: stats(...).total }`.
      const { spec, problems } = this.#types.read(outputType, { awaitDepth: outputDepth });
      // A workflow's output is whatever its calls give: its tasks are where a loose type is written.
      this.#reportNotData(problems, (path) => (path.length ? `output "${path.join(".")}" of ${subject}` : `the output of ${subject}`), at, { loose: declaredHere && kind === "task", side: "output" });
      output = spec;
    }
    return { inputs, output };
  }

  #workflowOutput(fn: Node | undefined): TypeSpec | undefined {
    return fn && this.#shared.workflowOutput(fn, this.opened);
  }

  /** `I` and `O` of the `Task<I, O>` / `Workflow<I, O>` the call returns. */
  #entityTypeArguments(call: CallExpression): [Type | undefined, Type | undefined] {
    const { checker } = this.opened;
    const type = checker.getTypeAtLocation(call);
    if (!type?.isTypeReference()) return [undefined, undefined];
    const [input, output] = checker.getTypeArguments(type as TypeReference);
    return [input, output];
  }

  #reportNotData(problems: NotData[], describe: (path: string[]) => string, fallback: Node, options: { loose: boolean; side: "input" | "output" }): void {
    for (const problem of problems) {
      if (problem.loose && !options.loose) continue;
      const at = this.#nodeInFile(problem.declaration) ?? fallback;
      const named = (at as Node & { name?: Node }).name ?? at;
      if (problem.loose) {
        const unchecked = options.side === "input"
          ? "aloft can neither check what is wired into it nor validate it when it runs"
          : "aloft can neither check the inputs it is wired into nor validate what the task returns";
        this.#report(named, "warning", "ALOFT_LOOSE_TYPE", `${describe(problem.path)} ${problem.reason}: ${unchecked}; give it a concrete type`);
      } else {
        this.#report(named, "error", "ALOFT_NOT_DATA", `${describe(problem.path)} ${problem.reason}; aloft moves only data between tasks (${DATA_KINDS})`);
      }
    }
  }


  #warnNotConst(at: Node, what: string): void {
    this.#report((at as Node & { name?: Node }).name ?? at, "warning", "ALOFT_ENTITY_NOT_CONST", `${what}: aloft only runs entities exported as top-level consts, named by their export (export const name = task(...))`);
  }

  #report(at: Node, severity: CompilerDiagnostic["severity"], code: string, message: string): void {
    this.diagnostics.push({ file: this.opened.file, ...this.#positions(at), severity, code, message });
  }

  #positions(node: Node) {
    return rangeToPositions(this.opened.text, node.getStart(this.opened.sourceFile), node.end);
  }

  #exportStarSite(): Node | undefined {
    return this.opened.sourceFile.statements.find(
      (s) => s.kind === SyntaxKind.ExportDeclaration && !(s as Node & { exportClause?: Node }).exportClause,
    );
  }

  /** The node behind `handle` when it is in the file being read. */
  #nodeInFile(handle: NodeHandle | undefined): Node | undefined {
    if (!handle || handle.path !== this.opened.sourceFile.path) return undefined;
    return handle.resolve(this.opened.project);
  }

  #inFile(node: Node): boolean {
    return node.getSourceFile().fileName === this.opened.sourceFile.fileName;
  }
}
