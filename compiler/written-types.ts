/**
 * Reads the TypeSpec of a written type annotation from its syntax, where the
 * annotation is made of parts whose meaning the syntax settles: keywords,
 * literals, `T | null`, arrays, type literals of plain properties, the file's
 * own non-generic type aliases, `Promise<T>`, `Record<string, T>`. Any other
 * name (an import like `File`, a global like `Date`) is a leaf: its type, asked
 * of the checker for all annotations at once, is read by `DataTypeReader`.
 *
 * The result is the TypeSpec `DataTypeReader` gives for the annotation's type,
 * without a round trip to tsgo per part. Whenever the syntax leaves a doubt
 * (a construct not listed, a name declared twice, a part that is not data and
 * must be reported where the checker says), the reading gives up and the
 * caller asks the checker: a spec from here is only ever the same spec.
 */
import { unionOf, withoutUndefined, type DataTypeReader } from "./data-types.ts";
import type { SdkDeclarations } from "./sdk-declarations.ts";
import type { CheckerCache } from "./checker-cache.ts";
import type { FieldSpec, TypeSpec } from "./type-spec.ts";
import { is, nodesOfKind, SyntaxKind, TypeFlags, type ast, type Node, type SourceFile, type Type } from "./ts-api.ts";

const UNDEFINED: TypeSpec = { kind: "undefined" };
const NULLISH = new Set(["null", "undefined"]);
/** Decimal numbers whose value `Number` reads as TypeScript does. */
const PLAIN_NUMBER = /^\d+(\.\d+)?$/;

/**
 * Names the file declares or imports: its non-generic type aliases (read
 * through), `"leaf"` for anything else (an import, an interface, a generic
 * alias: its type is asked of the checker), `"conflict"` for a name declared
 * twice (left to the checker altogether).
 */
type LocalTypes = Map<string, ast.TypeAliasDeclaration | "leaf" | "conflict">;

/** Names whose type arguments the reader reads itself: only what the name is needs asking. */
const KNOWN_GENERICS = new Set(["Promise", "Array", "ReadonlyArray", "Record"]);
/** The key of the project's `T[]` syntax, which always means the global `Array`. */
const ARRAY_SYNTAX = "[]";

export class WrittenTypeReader {
  readonly #localTypes = new WeakMap<SourceFile, LocalTypes>();
  /**
   * One reference per name and scope: a name means the same type everywhere
   * in a file (an import) or in the project (a global), so its type is asked
   * once, of the first reference met.
   */
  readonly #representatives = new Map<string, Node>();
  readonly #aliasSpecs = new WeakMap<ast.TypeAliasDeclaration, Map<number, TypeSpec>>();

  constructor(
    private readonly facts: CheckerCache,
    private readonly types: DataTypeReader,
    private readonly sdk: SdkDeclarations,
    /** The syntax of `T | null` says what it means only with strict null checks. */
    private readonly enabled: boolean,
  ) {}

  /**
   * The nodes whose types `read` will ask the checker for, reading
   * `annotations` of `sourceFile` (references and arrays in them and in the
   * file's type aliases), to fetch them beforehand in one request.
   */
  leaves(sourceFile: SourceFile, annotations: readonly Node[], into: Node[]): void {
    if (!this.enabled || !annotations.length) return;
    const locals = this.#locals(sourceFile);
    const roots = [...annotations];
    for (const meaning of locals.values()) if (typeof meaning === "object") roots.push(meaning.type);
    const ask = (key: string, node: Node) => {
      if (this.#representatives.has(key)) return;
      this.#representatives.set(key, node);
      into.push(node);
    };
    const leafKinds = [SyntaxKind.TypeReference, SyntaxKind.ArrayType];
    // In source order, each once: the file's first reference to a name is the one asked about.
    const found = new Set<Node>();
    for (const root of roots.sort((a, b) => a.pos - b.pos)) {
      if (leafKinds.includes(root.kind)) found.add(root);
      for (const node of nodesOfKind(root, ...leafKinds)) found.add(node);
    }
    for (const node of found) {
      if (is.isArrayTypeNode(node)) {
        ask(ARRAY_SYNTAX, node);
        continue;
      }
      if (!is.isTypeReferenceNode(node)) continue;
      const name = is.isIdentifier(node.typeName) ? node.typeName.text : undefined;
      const local = name === undefined ? undefined : locals.get(name);
      if (typeof local === "object" || local === "conflict") continue; // read through, or not at all
      if (name !== undefined && (!node.typeArguments || KNOWN_GENERICS.has(name))) ask(this.#nameKey(node, name, locals), node);
      else into.push(node); // a generic or qualified name: its own type
    }
  }

  /**
   * A name imported or declared in the file means something in that file; any
   * other name is the project's global. With or without type arguments apart:
   * only the generic's own symbol is read off a reference with them.
   */
  #nameKey(node: ast.TypeReferenceNode, name: string, locals: LocalTypes): string {
    const scope = locals.has(name) ? node.getSourceFile().fileName : "";
    return `${scope}\0${name}${node.typeArguments?.length ? "<>" : ""}`;
  }

  /** The type `name` stands for where `node` is (a reference to it without type arguments, or any reference to a known generic). */
  #typeOfName(node: ast.TypeReferenceNode, name: string, locals: LocalTypes): Type | undefined {
    const key = this.#nameKey(node, name, locals);
    let representative = this.#representatives.get(key);
    if (!representative) this.#representatives.set(key, (representative = node));
    return this.facts.typeAt(representative);
  }

  /** The spec of the annotation's type, as `DataTypeReader` would read it at `awaitDepth`; undefined when only the checker can tell. */
  read(annotation: Node, sourceFile: SourceFile, awaitDepth: number): TypeSpec | undefined {
    if (!this.enabled) return undefined;
    return this.#read(annotation, this.#locals(sourceFile), awaitDepth, new Set());
  }

  /**
   * The spec of `O` for a function annotated to return `Promise<O>` (or `O`),
   * when `O` holds no promise: what a task's `O` is, the same at any depth.
   */
  readUnwrapped(annotation: Node, sourceFile: SourceFile): TypeSpec | undefined {
    if (!this.enabled) return undefined;
    const locals = this.#locals(sourceFile);
    let inner = annotation;
    while (is.isParenthesizedTypeNode(inner)) inner = inner.type;
    if (is.isTypeReferenceNode(inner) && is.isIdentifier(inner.typeName) && inner.typeName.text === "Promise" && inner.typeArguments?.length === 1 && !locals.has("Promise")) {
      const type = this.#typeOfName(inner, "Promise", locals);
      if (!type || !(type.flags & TypeFlags.Object) || !this.sdk.isLibraryGlobal(type.getSymbol(), "Promise")) return undefined;
      inner = inner.typeArguments[0]!;
    }
    // Read where no promise may be: a spec at all means there is none.
    return this.#read(inner, locals, 0, new Set());
  }

  #read(node: Node, locals: LocalTypes, awaitDepth: number, expanding: Set<string>): TypeSpec | undefined {
    switch (node.kind) {
      case SyntaxKind.StringKeyword:
        return { kind: "string" };
      case SyntaxKind.NumberKeyword:
        return { kind: "number" };
      case SyntaxKind.BooleanKeyword:
        return { kind: "boolean" };
      case SyntaxKind.UndefinedKeyword:
      case SyntaxKind.VoidKeyword:
        return UNDEFINED;
      case SyntaxKind.ParenthesizedType:
        return this.#read((node as ast.ParenthesizedTypeNode).type, locals, awaitDepth, expanding);
      case SyntaxKind.LiteralType:
        return literal((node as ast.LiteralTypeNode).literal);
      case SyntaxKind.UnionType:
        return this.#union(node as ast.UnionTypeNode, locals, awaitDepth, expanding);
      case SyntaxKind.TypeLiteral:
        return this.#record(node as ast.TypeLiteralNode, locals, awaitDepth, expanding);
      case SyntaxKind.ArrayType: {
        const array = node as ast.ArrayTypeNode;
        if (this.#arraySyntax(array) !== "array") return undefined;
        const items = this.#read(array.elementType, locals, Math.max(0, awaitDepth - 1), expanding);
        return items && { kind: "array", items };
      }
      case SyntaxKind.TypeReference:
        return this.#reference(node as ast.TypeReferenceNode, locals, awaitDepth, expanding);
    }
    return undefined;
  }

  /** `T | null`, `T | undefined`: one value and one nullish kind, whose order the checker does not decide. */
  #union(node: ast.UnionTypeNode, locals: LocalTypes, awaitDepth: number, expanding: Set<string>): TypeSpec | undefined {
    if (node.types.length !== 2) return undefined;
    const options: TypeSpec[] = [];
    for (const member of node.types) {
      const spec = this.#read(member, locals, awaitDepth, expanding);
      if (!spec || spec.kind === "union") return undefined;
      options.push(spec);
    }
    if (options.filter((o) => NULLISH.has(o.kind)).length !== 1) return undefined;
    return unionOf(options);
  }

  #record(node: ast.TypeLiteralNode, locals: LocalTypes, awaitDepth: number, expanding: Set<string>): TypeSpec | undefined {
    const fields: Record<string, FieldSpec> = {};
    for (const member of node.members) {
      if (!is.isPropertySignatureDeclaration(member) || !member.type) return undefined;
      const name = plainName(member.name);
      if (name === undefined || Object.hasOwn(fields, name)) return undefined;
      const optional = member.postfixToken?.kind === SyntaxKind.QuestionToken;
      if (member.postfixToken && !optional) return undefined;
      const spec = this.#read(member.type, locals, Math.max(0, awaitDepth - 1), expanding);
      if (!spec) return undefined;
      // The checker reads `x?: T` as `T | undefined`, then the field drops the undefined again.
      fields[name] = { type: optional ? withoutUndefined(unionOf([spec, UNDEFINED])) : spec, optional };
    }
    return { kind: "record", fields };
  }

  #reference(node: ast.TypeReferenceNode, locals: LocalTypes, awaitDepth: number, expanding: Set<string>): TypeSpec | undefined {
    const name = is.isIdentifier(node.typeName) ? node.typeName.text : undefined;
    const args = node.typeArguments ?? [];
    const local = name === undefined ? undefined : locals.get(name);
    if (local === "conflict") return undefined;
    if (typeof local === "object") {
      if (args.length || expanding.has(name!)) return undefined;
      // An alias is read once per depth: files use their record types often.
      const known = this.#aliasSpecs.get(local)?.get(awaitDepth);
      if (known) return known;
      const spec = this.#read(local.type, locals, awaitDepth, new Set([...expanding, name!]));
      // Only a reading that came through is independent of the aliases being read around it.
      if (spec) this.#aliasSpecs.set(local, (this.#aliasSpecs.get(local) ?? new Map()).set(awaitDepth, spec));
      return spec;
    }
    if (name !== undefined && KNOWN_GENERICS.has(name) && args.length) {
      // Only what the name is needs asking: the reader reads the arguments itself.
      const type = this.#typeOfName(node, name, locals);
      if (!type || type.isErrorType()) return undefined;
      if (name === "Promise" && args.length === 1) {
        if (awaitDepth <= 0 || !(type.flags & TypeFlags.Object) || !this.sdk.isLibraryGlobal(type.getSymbol(), "Promise")) return undefined;
        return this.#read(args[0]!, locals, awaitDepth, expanding);
      }
      if ((name === "Array" || name === "ReadonlyArray") && args.length === 1) {
        if (this.types.listKind(type) !== "array") return undefined;
        const items = this.#read(args[0]!, locals, Math.max(0, awaitDepth - 1), expanding);
        return items && { kind: "array", items };
      }
      if (name === "Record" && args.length === 2 && args[0]!.kind === SyntaxKind.StringKeyword) {
        if (!this.sdk.isLibraryGlobal(type.getAliasSymbol(), "Record")) return undefined;
        const values = this.#read(args[1]!, locals, Math.max(0, awaitDepth - 1), expanding);
        return values && { kind: "map", values };
      }
      return undefined;
    }
    const type = name !== undefined && !args.length ? this.#typeOfName(node, name, locals) : this.facts.typeAt(node);
    if (!type || type.isErrorType()) return undefined;
    // A leaf: whatever the name stands for, read off its type.
    return this.types.readClean(type, awaitDepth);
  }

  /** What `T[]` means in this project: the global `Array` (unless there is no library). */
  #arraySyntax(node: Node): "array" | "tuple" | undefined {
    let representative = this.#representatives.get(ARRAY_SYNTAX);
    if (!representative) this.#representatives.set(ARRAY_SYNTAX, (representative = node));
    const type = this.facts.typeAt(representative);
    return type ? this.types.listKind(type) : undefined;
  }

  /** Type aliases the file declares at its top level; a name declared otherwise too is `null`. */
  #locals(sourceFile: SourceFile): LocalTypes {
    let locals = this.#localTypes.get(sourceFile);
    if (locals) return locals;
    locals = new Map();
    const declare = (name: string, meaning: ast.TypeAliasDeclaration | "leaf") => locals!.set(name, locals!.has(name) ? "conflict" : meaning);
    for (const statement of sourceFile.statements) {
      if (is.isTypeAliasDeclaration(statement)) {
        declare(statement.name.text, statement.typeParameters?.length ? "leaf" : statement);
      } else if (is.isInterfaceDeclaration(statement) || is.isClassDeclaration(statement) || is.isEnumDeclaration(statement) || is.isModuleDeclaration(statement)) {
        const name = (statement as Node & { name?: Node }).name;
        if (name && is.isIdentifier(name)) declare(name.text, "leaf");
      } else if (is.isImportDeclaration(statement) || is.isImportEqualsDeclaration(statement)) {
        for (const imported of importedNames(statement)) declare(imported, "leaf");
      }
    }
    this.#localTypes.set(sourceFile, locals);
    return locals;
  }
}

/** Names an import brings into the file's scope. */
function importedNames(statement: Node): string[] {
  if (is.isImportEqualsDeclaration(statement)) return [statement.name.text];
  if (!is.isImportDeclaration(statement)) return [];
  const clause = statement.importClause;
  if (!clause) return [];
  const names = clause.name ? [clause.name.text] : [];
  const bindings = clause.namedBindings;
  if (bindings && is.isNamespaceImport(bindings)) names.push(bindings.name.text);
  if (bindings && is.isNamedImports(bindings)) names.push(...bindings.elements.map((e) => e.name.text));
  return names;
}

function literal(node: Node): TypeSpec | undefined {
  switch (node.kind) {
    case SyntaxKind.NullKeyword:
      return { kind: "null" };
    case SyntaxKind.TrueKeyword:
      return { kind: "literal", value: true };
    case SyntaxKind.FalseKeyword:
      return { kind: "literal", value: false };
  }
  if (is.isStringLiteral(node)) return { kind: "literal", value: node.text };
  if (is.isNumericLiteral(node) && PLAIN_NUMBER.test(node.text)) return { kind: "literal", value: Number(node.text) };
  return undefined;
}

/** A property name as the checker's symbol spells it, when the syntax alone says so. */
function plainName(name: Node): string | undefined {
  const text = is.isIdentifier(name) || is.isStringLiteral(name) ? name.text : undefined;
  // Names starting with "__" are escaped in symbol tables: left to the checker.
  return text === undefined || text.startsWith("__") ? undefined : text;
}
