/**
 * Turns a TypeScript type into the `TypeSpec` aloft moves data by, and says
 * where a type is not data (a function, a class instance, a Map...), so the
 * user hears it from the editor rather than from a failed run.
 */
import type { TypeSpec } from "./type-spec.ts";
import type { SdkDeclarations } from "./sdk-declarations.ts";
import {
  is,
  ObjectFlags,
  SignatureKind,
  SyntaxKind,
  SymbolFlags,
  TypeFlags,
  type Checker,
  type NodeHandle,
  type TsSymbol,
  type Type,
  type TypeReference,
} from "./ts-api.ts";

/** A part of a type that aloft cannot move between tasks. */
export interface NotData {
  /** Field names from the top, `[]` for array items: `["opts", "cb"]`. */
  path: string[];
  /** Completes "input "x" of task "t" ...": `is a function`. */
  reason: string;
  /** The innermost property declaration on the way, to point the editor at. */
  declaration: NodeHandle | undefined;
  /** `any` or `unknown`: data may pass, but nothing can be checked about it (a warning). */
  loose?: true;
}

interface Context {
  path: string[];
  /** How many levels of records may still hold promises (workflow outputs). */
  awaitDepth: number;
  /** Object types being converted, to cut recursive types. */
  enclosing: Set<number>;
  /** Set when a recursive type was cut below: such a result depends on where it was read. */
  cut: { happened: boolean };
  declaration: NodeHandle | undefined;
  problems: NotData[];
}

const ANY: TypeSpec = { kind: "any" };
const NEVER: TypeSpec = { kind: "union", options: [] };

export class DataTypeReader {
  /** Clean conversions by type id and await depth, for the life of one reading. */
  readonly #converted = new Map<string, TypeSpec>();

  constructor(
    private readonly checker: Checker,
    private readonly sdk: SdkDeclarations,
  ) {}

  /**
   * `awaitDepth` 1 unwraps a promise of the value (a task's return type); 2
   * also unwraps promises held by the fields of a returned record (what a
   * workflow body returns).
   */
  read(type: Type, options: { awaitDepth?: number; declaration?: NodeHandle } = {}): { spec: TypeSpec; problems: NotData[] } {
    const context: Context = {
      path: [],
      awaitDepth: options.awaitDepth ?? 0,
      enclosing: new Set(),
      cut: { happened: false },
      declaration: options.declaration,
      problems: [],
    };
    return { spec: this.#convert(type, context), problems: context.problems };
  }

  /**
   * `read` of a type that must convert cleanly (a part of a larger type read
   * elsewhere): undefined when it is not data, or is cut short as recursive.
   */
  readClean(type: Type, awaitDepth: number): TypeSpec | undefined {
    const context: Context = { path: [], awaitDepth, enclosing: new Set(), cut: { happened: false }, declaration: undefined, problems: [] };
    const spec = this.#convert(type, context);
    return context.problems.length || context.cut.happened ? undefined : spec;
  }

  #convert(type: Type, context: Context): TypeSpec {
    const f = type.flags;
    if (type.isErrorType()) return ANY; // TypeScript reports it
    if (f & TypeFlags.AnyOrUnknown) {
      const reason = f & TypeFlags.Any ? "is any" : "is unknown";
      context.problems.push({ path: context.path, reason, declaration: context.declaration, loose: true });
      return ANY;
    }
    if (f & (TypeFlags.String | TypeFlags.TemplateLiteral | TypeFlags.StringMapping)) return { kind: "string" };
    if (f & TypeFlags.Number) return { kind: "number" };
    // `boolean` is the union `true | false`; it carries this flag.
    if (f & TypeFlags.Boolean) return { kind: "boolean" };
    if (f & (TypeFlags.StringLiteral | TypeFlags.NumberLiteral | TypeFlags.BooleanLiteral)) {
      return { kind: "literal", value: (type as Type & { value: string | number | boolean }).value };
    }
    if (f & TypeFlags.Null) return { kind: "null" };
    if (f & (TypeFlags.Undefined | TypeFlags.Void)) return { kind: "undefined" };
    if (f & TypeFlags.Never) return NEVER;
    if (f & (TypeFlags.BigInt | TypeFlags.BigIntLiteral)) return this.#notData("is a bigint", context);
    if (f & (TypeFlags.ESSymbol | TypeFlags.UniqueESSymbol)) return this.#notData("is a symbol", context);
    if (f & TypeFlags.NonPrimitive) return ANY;
    if (f & (TypeFlags.Union | TypeFlags.Intersection | TypeFlags.Object)) {
      // A recursive type (a tree, aloft's own `Data`): TypeSpec cannot express it.
      if (context.enclosing.has(type.id)) {
        context.cut.happened = true;
        return ANY;
      }
      // Files repeat types (number[], a shared record): each is asked of the checker once.
      const key = `${type.id}:${context.awaitDepth}`;
      const known = this.#converted.get(key);
      if (known) return known;
      const problemsBefore = context.problems.length;
      const cutAbove = context.cut.happened;
      context.cut.happened = false;
      context.enclosing.add(type.id);
      try {
        const spec = type.isUnionType()
          ? unionOf(type.getTypes().map((t) => this.#convert(t, context)))
          : type.isIntersectionType()
            ? this.#intersection(type.getTypes(), type, context)
            : this.#object(type, context);
        if (!context.cut.happened && context.problems.length === problemsBefore) this.#converted.set(key, spec);
        return spec;
      } finally {
        context.enclosing.delete(type.id);
        context.cut.happened ||= cutAbove;
      }
    }
    return this.#notData("has a type that is not concrete (generic or conditional); give it a concrete type", context);
  }

  #intersection(members: readonly Type[], whole: Type, context: Context): TypeSpec {
    // `Output<O>` is `Promise<O> & NamedOutputs<O>`: the promise is what counts.
    const promise = members.find((m) => this.#isPromise(m));
    if (promise) return this.#convert(promise, context);
    // A branded primitive (`string & { __brand: "Id" }`) travels as the primitive.
    const primitive = members.find((m) => !(m.flags & TypeFlags.Object));
    if (primitive) return this.#convert(primitive, context);
    return this.#object(whole, context);
  }

  #object(type: Type, context: Context): TypeSpec {
    const symbol = type.getSymbol();
    if (this.#isPromise(type)) {
      if (context.awaitDepth <= 0) return this.#notData("is a Promise", context);
      return this.#convert(this.#typeArguments(type)[0] ?? this.checker.getAnyType(), context);
    }
    if (this.sdk.isLibraryGlobal(symbol, "Date")) return { kind: "date" };
    const dataClass = this.sdk.dataClass(symbol);
    if (dataClass) return { kind: dataClass };
    const list = this.listKind(type);
    if (list === "array") {
      const items = this.#typeArguments(type)[0];
      // A workflow may return a list of promised outputs: `[a(...), b(...)]`.
      return { kind: "array", items: items ? this.#convert(items, this.#enter(context, "[]", context.awaitDepth - 1)) : ANY };
    }
    if (list === "tuple") {
      // TypeSpec has no tuples: a tuple travels as an array of any of its element types.
      const items = this.#typeArguments(type).map((t) => this.#convert(t, this.#enter(context, "[]", 0)));
      return { kind: "array", items: unionOf(items) };
    }
    const signatures = this.#possibleSignatures(type, symbol);
    if (signatures.call && this.checker.getSignaturesOfType(type, SignatureKind.Call).length) return this.#notData("is a function", context);
    if (signatures.construct && this.checker.getSignaturesOfType(type, SignatureKind.Construct).length) return this.#notData("is a class", context);
    if (symbol && symbol.flags & SymbolFlags.Class) return this.#notData(`is an instance of class ${symbol.name}`, context);
    // Map, Set, RegExp, Error, Uint8Array, Buffer...: objects with behaviour, not records.
    if (symbol && symbol.flags & SymbolFlags.Interface && this.sdk.declaredByPlatform(symbol)) {
      return this.#notData(`is a ${symbol.name}`, context);
    }
    return this.#record(type, context);
  }

  /**
   * Arrays and tuples, told apart by the reference's target, which is fetched
   * once for all `T[]` (checker.isArrayType would be a round trip per type).
   */
  listKind(type: Type): "array" | "tuple" | undefined {
    if (!type.isTypeReference()) return undefined;
    const target = type.getTarget();
    if (target.isObjectType() && target.objectFlags & ObjectFlags.Tuple) return "tuple";
    const symbol = target.getSymbol();
    return this.sdk.isLibraryGlobal(symbol, "Array") || this.sdk.isLibraryGlobal(symbol, "ReadonlyArray") ? "array" : undefined;
  }

  /**
   * Which signatures `type` could have, without asking: an object literal or a
   * mapped type has none; a type literal written in the project shows them in
   * its declaration. Anything else is asked of the checker.
   */
  #possibleSignatures(type: Type, symbol: TsSymbol | undefined): { call: boolean; construct: boolean } {
    if (type.isObjectType() && type.objectFlags & (ObjectFlags.ObjectLiteral | ObjectFlags.Mapped)) return { call: false, construct: false };
    // The type of an object literal expression (`return { total, count }`), widened or instantiated.
    if (symbol && symbol.flags & SymbolFlags.ObjectLiteral) return { call: false, construct: false };
    if (symbol && symbol.flags & SymbolFlags.TypeLiteral && symbol.declarations.length === 1) {
      const handle = symbol.declarations[0]!;
      if (!/[\\/]node_modules[\\/]/.test(handle.path)) {
        const literal = handle.resolve();
        if (literal && is.isTypeLiteralNode(literal)) {
          return {
            call: literal.members.some((m) => m.kind === SyntaxKind.CallSignature),
            construct: literal.members.some((m) => m.kind === SyntaxKind.ConstructSignature),
          };
        }
      }
    }
    return { call: true, construct: true };
  }

  #record(type: Type, context: Context): TypeSpec {
    const properties = this.checker.getPropertiesOfType(type);
    // Only a record with no named fields can be a map (`Record<string, T>`).
    const index = properties.length ? undefined : this.checker.getIndexInfosOfType(type)[0];
    if (!properties.length && index) {
      return { kind: "map", values: this.#convert(index.valueType, this.#enter(context, "[key]", context.awaitDepth - 1)) };
    }
    const methods = properties.filter((p) => p.flags & SymbolFlags.Method);
    if (methods.length) {
      const name = type.getSymbol()?.name;
      const what = name && !name.startsWith("__") ? name : "it";
      return this.#notData(`has methods (${what} has ${methods.map((m) => `${m.name}()`).join(", ")}), so it is not plain data`, context);
    }
    return { kind: "record", fields: this.#fields(properties, context) };
  }

  #fields(properties: readonly TsSymbol[], context: Context): Record<string, { type: TypeSpec; optional: boolean }> {
    const fields: Record<string, { type: TypeSpec; optional: boolean }> = {};
    const types = properties.length ? this.checker.getTypeOfSymbol(properties) : []; // one round trip
    for (const [i, property] of properties.entries()) {
      const optional = !!(property.flags & SymbolFlags.Optional);
      const inner = this.#enter(context, property.name, context.awaitDepth - 1, property);
      const type = types[i];
      const spec = type ? this.#convert(type, inner) : ANY;
      // `x?: T` reads as `T | undefined`; `optional` already says that.
      fields[property.name] = { type: optional ? withoutUndefined(spec) : spec, optional };
    }
    return fields;
  }

  #enter(context: Context, segment: string, awaitDepth: number, property?: TsSymbol): Context {
    const declaration = property?.valueDeclaration ?? property?.declarations[0];
    return {
      ...context,
      path: [...context.path, segment],
      awaitDepth: Math.max(0, awaitDepth),
      declaration: declaration ?? context.declaration,
    };
  }

  #notData(reason: string, context: Context): TypeSpec {
    context.problems.push({ path: context.path, reason, declaration: context.declaration });
    return ANY;
  }

  #isPromise(type: Type): boolean {
    return !!(type.flags & TypeFlags.Object) && this.sdk.isLibraryGlobal(type.getSymbol(), "Promise");
  }

  #typeArguments(type: Type): readonly Type[] {
    return type.isTypeReference() ? this.checker.getTypeArguments(type as TypeReference) : [];
  }
}

/** Flattens, folds `true | false` into `boolean`, drops repeats. */
export function unionOf(options: TypeSpec[]): TypeSpec {
  const flat = options.flatMap((o) => (o.kind === "union" ? o.options : [o]));
  if (flat.some((o) => o.kind === "any")) return ANY;
  const hasTrue = flat.some((o) => o.kind === "literal" && o.value === true);
  const hasFalse = flat.some((o) => o.kind === "literal" && o.value === false);
  const isBooleanLiteral = (o: TypeSpec) => o.kind === "literal" && typeof o.value === "boolean";
  const folded: TypeSpec[] = hasTrue && hasFalse
    ? flat.map((o) => (isBooleanLiteral(o) ? { kind: "boolean" } : o))
    : flat;
  const seen = new Set<string>();
  const unique = folded.filter((o) => {
    const key = JSON.stringify(o);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // Written `T | null`, as TypeScript prints it, whatever order the checker keeps.
  const nullish = (o: TypeSpec) => o.kind === "null" || o.kind === "undefined";
  const ordered = [...unique.filter((o) => !nullish(o)), ...unique.filter(nullish)];
  return ordered.length === 1 ? ordered[0]! : { kind: "union", options: ordered };
}

export function withoutUndefined(spec: TypeSpec): TypeSpec {
  if (spec.kind !== "union") return spec;
  const rest = spec.options.filter((o) => o.kind !== "undefined");
  return rest.length === spec.options.length ? spec : unionOf(rest);
}
