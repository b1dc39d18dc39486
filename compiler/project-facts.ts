/**
 * What the files of one project, read together, share: the SDK's
 * declarations, the checker's answers about nodes, and type conversions are
 * asked of tsgo once for all of them. Each question is a round trip to tsgo,
 * so before any file is read, what reading them will ask is fetched for all
 * files at once: a few batched requests per project, and questions that do
 * not depend on each other sent side by side (`TypeScriptSession.prime…`).
 */
import { calleeNameNode, isFunctionLike, skipOuterExpressions } from "./ast-helpers.ts";
import { CheckerCache } from "./checker-cache.ts";
import { DataTypeReader } from "./data-types.ts";
import { SdkDeclarations, type EntityKind } from "./sdk-declarations.ts";
import { WrittenTypeReader } from "./written-types.ts";
import { exportsOwnDeclaration, relativeImportTarget } from "./import-keys.ts";
import {
  callsWithArguments,
  is,
  nodesOfKind,
  SymbolFlags,
  SyntaxKind,
  type ast,
  type CallExpression,
  type Expression,
  type Node,
  type OpenedFile,
  type Project,
  type TsSymbol,
  type TypeScriptSession,
} from "./ts-api.ts";
import type { TypeSpec } from "./type-spec.ts";
import { workflowOutputFromBody } from "./workflow-outputs.ts";

export class ProjectFacts {
  readonly sdk: SdkDeclarations;
  readonly facts: CheckerCache;
  readonly types: DataTypeReader;
  readonly written: WrittenTypeReader;
  readonly #workflowOutputs = new Map<Node, TypeSpec | undefined>();

  /** `writtenTypes`: false reads every annotation through the checker (tests compare both ways). */
  constructor(
    readonly project: Project,
    options: { writtenTypes?: boolean } = {},
  ) {
    this.sdk = new SdkDeclarations(project.checker, project.program);
    this.facts = new CheckerCache(project.checker);
    this.types = new DataTypeReader(project.checker, this.sdk);
    const { strict, strictNullChecks, exactOptionalPropertyTypes } = project.compilerOptions;
    // `T | null` and `x?: T` mean what their syntax says only with strict null checks.
    const nullChecked = strictNullChecks ?? strict ?? false;
    this.written = new WrittenTypeReader(this.facts, this.types, this.sdk, (options.writtenTypes ?? true) && nullChecked && !exactOptionalPropertyTypes);
  }

  /** `workflowOutputFromBody` of the workflow function `fn` in `opened`, read once. */
  workflowOutput(fn: Node, opened: OpenedFile): TypeSpec | undefined {
    if (this.#workflowOutputs.has(fn)) return this.#workflowOutputs.get(fn);
    const output = workflowOutputFromBody(fn, { opened, facts: this.facts, sdk: this.sdk, written: this.written, entityCall: (e) => entityCallOf(e, this) });
    this.#workflowOutputs.set(fn, output);
    return output;
  }
}

/** What prefetching found in a file, for the passes that would otherwise walk it. */
export interface FileIndex {
  /** Calls with a second argument, in source order: `map(task, options)` among them. */
  callsWithOptions: CallExpression[];
}

/** The `task(...)` / `workflow(...)` / `dynamic(...)` call `expression` is, with which it is. */
export function entityCallOf(expression: Expression, shared: ProjectFacts): { kind: EntityKind; node: CallExpression } | undefined {
  const node = skipOuterExpressions(expression);
  if (!is.isCallExpression(node)) return undefined;
  const kind = shared.sdk.entityFunction(shared.facts.symbolAt(calleeNameNode(node.expression)));
  return kind && { kind, node };
}

/** A file's top level, read by `primeTopLevels`. */
export interface TopLevel {
  initializers: Expression[];
  /** The module's node and the callee of each top-level call: their symbols tell which calls declare entities. */
  callees: Node[];
}

/**
 * Fetches each file's syntax tree and reads its top level, asking at once
 * for the symbols `prefetchFacts` starts from (one request per file): tsgo
 * answers them while it still sends the later files' trees.
 */
export function primeTopLevels(files: readonly { opened: OpenedFile; shared: ProjectFacts }[], session: TypeScriptSession): Map<OpenedFile, TopLevel> {
  const topLevels = new Map<OpenedFile, TopLevel>();
  for (const { opened, shared } of files) {
    const initializers = topLevelInitializers(opened);
    const callees: Node[] = [];
    topLevelCallees(opened, initializers, callees);
    session.primeSymbolsAtLocations(shared.project, shared.facts.missingSymbols(callees));
    topLevels.set(opened, { initializers, callees });
  }
  return topLevels;
}

/**
 * Fetches the symbols and types that reading `files` will ask about, and
 * indexes each file. Only a hint for speed: whatever is not fetched here is
 * asked when needed. Each numbered step is one batched request per project
 * (the first, one per file: see `primeTopLevels`).
 */
export function prefetchFacts(
  files: readonly { opened: OpenedFile; shared: ProjectFacts }[],
  session: TypeScriptSession,
  topLevels: Map<OpenedFile, TopLevel> = primeTopLevels(files, session),
): Map<OpenedFile, FileIndex> {
  const byProject = new Map<ProjectFacts, OpenedFile[]>();
  for (const { opened, shared } of files) {
    const known = byProject.get(shared);
    if (known) known.push(opened);
    else byProject.set(shared, [opened]);
  }
  const indexes = new Map<OpenedFile, FileIndex>();
  for (const [shared, opened] of byProject) {
    // 1. Which top-level calls declare entities (and each module's symbol), in the requests primed per file.
    const initializers = new Map(opened.map((file) => [file, topLevels.get(file)!.initializers]));
    for (const file of opened) shared.facts.prefetchSymbols(topLevels.get(file)!.callees);
    // The modules' exports are listed later, file by file: asked for all at once now.
    const modules = opened.flatMap((file) => {
      const symbol = shared.facts.symbolAt(file.sourceFile);
      return symbol ? [{ symbol, sourceFile: file.sourceFile }] : [];
    });
    session.primeExportsOfModules(shared.project, modules);
    const entities = opened.map((file) => ({ file, calls: topLevelEntityCalls(initializers.get(file)!, shared) }));
    // 2. What workflow and dynamic bodies and the options of calls will ask.
    const inBodies: Node[] = [];
    for (const { file, calls } of entities) indexes.set(file, bodyQuestions(file, calls, inBodies));
    // Asked now, collected once the annotations' syntax is read (3.), which asks tsgo nothing.
    session.primeSymbolsAtLocations(shared.project, shared.facts.missingSymbols(inBodies));
    const leaves: Node[] = [];
    for (const { file, calls } of entities) {
      const annotations = calls.flatMap(({ fn }) => (fn && isFunctionLike(fn) ? [fn.parameters[0]?.type, fn.type].filter((a) => a !== undefined) : []));
      shared.written.leaves(file.sourceFile, annotations, leaves);
    }
    shared.facts.prefetchSymbols(inBodies);
    // The imports of other files of the batch that the workflows call, resolved side by side.
    const byPath = new Map(opened.map((file) => [file.file, file.sourceFile]));
    const aliases = new Set<TsSymbol>();
    for (const node of inBodies) {
      const symbol = shared.facts.symbolAt(node);
      if (!symbol || !(symbol.flags & SymbolFlags.Alias) || aliases.has(symbol)) continue;
      const target = relativeImportTarget(symbol);
      const file = target && byPath.get(target.path);
      if (file && exportsOwnDeclaration(file, target.name) && shared.sdk.planAlias(symbol)) aliases.add(symbol);
    }
    session.primeAliasedSymbols(shared.project, [...aliases]);
    // 3. What written annotations name (see written-types.ts), found above.
    shared.facts.prefetchTypes(leaves);
    // 4. The types of the functions whose interface is not written out nor read off the body.
    const functions: Node[] = [];
    for (const { file, calls } of entities) {
      for (const { kind, fn } of calls) {
        if (fn && needsFunctionType(kind, fn, file, shared)) functions.push(fn);
      }
    }
    shared.facts.prefetchTypes(functions);
  }
  return indexes;
}

interface TopLevelEntityCall {
  kind: EntityKind;
  call: CallExpression;
  /** The function the entity runs: the call's last argument. */
  fn: Expression | undefined;
}

/** The module's symbol, and the callee of each top-level initializer or default export. */
function topLevelCallees(opened: OpenedFile, initializers: readonly Expression[], symbols: Node[]): void {
  symbols.push(opened.sourceFile);
  for (const expression of initializers) {
    const call = skipOuterExpressions(expression);
    if (is.isCallExpression(call)) pushCallee(call, symbols);
  }
}

function topLevelInitializers(opened: OpenedFile): Expression[] {
  const found: Expression[] = [];
  for (const statement of opened.sourceFile.statements) {
    if (is.isExportAssignment(statement)) found.push(statement.expression);
    if (!is.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) if (declaration.initializer) found.push(declaration.initializer);
  }
  return found;
}

function topLevelEntityCalls(initializers: readonly Expression[], shared: ProjectFacts): TopLevelEntityCall[] {
  const calls: TopLevelEntityCall[] = [];
  for (const expression of initializers) {
    const made = entityCallOf(expression, shared);
    if (made) calls.push({ kind: made.kind, call: made.node, fn: made.node.arguments[made.node.arguments.length - 1] });
  }
  return calls;
}

/**
 * True unless the interface is read without the function's type: a task with
 * its input and output written, a workflow whose output is read off its body.
 */
function needsFunctionType(kind: EntityKind, fn: Expression, opened: OpenedFile, shared: ProjectFacts): boolean {
  if (!isFunctionLike(fn)) return true;
  const inputWritten = !fn.parameters.length || !!fn.parameters[0]?.type;
  if (!inputWritten) return true;
  if (fn.type) return false;
  if (kind !== "workflow") return true;
  return shared.workflowOutput(fn, opened) === undefined;
}

/**
 * Finds, without walking the file: the callee of every call with options (a
 * `map` among them is checked), and inside workflow and dynamic bodies every
 * callee, the names whose fields are read, and the values passed to calls.
 */
function bodyQuestions(opened: OpenedFile, calls: readonly TopLevelEntityCall[], symbols: Node[]): FileIndex {
  const callsWithOptions = callsWithArguments(opened.sourceFile, 2).filter((node) => is.isCallExpression(node));
  for (const call of callsWithOptions) pushCallee(call, symbols);
  for (const { kind, fn } of calls) {
    if ((kind !== "workflow" && kind !== "dynamic") || !fn || !isFunctionLike(fn)) continue;
    // An arrow's body may be a call or a field read itself (`({ x }) => x.y`).
    const body: Node = fn.body;
    for (const call of [body, ...nodesOfKind(body, SyntaxKind.CallExpression)]) {
      if (!is.isCallExpression(call)) continue;
      pushCallee(call, symbols);
      for (const argument of call.arguments) if (is.isIdentifier(argument)) symbols.push(argument);
    }
    for (const node of [body, ...nodesOfKind(body, SyntaxKind.PropertyAccessExpression)]) {
      if (is.isPropertyAccessExpression(node) && is.isIdentifier(node.expression)) symbols.push(node.expression);
    }
  }
  return { callsWithOptions };
}

/** The name a call calls by (`f`, or `g` in `a.g()`); a call of a call's result has none to ask about. */
function pushCallee(call: CallExpression, symbols: Node[]): void {
  const name = calleeNameNode(call.expression);
  if (is.isIdentifier(name)) symbols.push(name);
}
