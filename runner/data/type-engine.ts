/**
 * The type engine: the one place where data becomes wire values and back,
 * and where wire values are checked against type specs (flytekit's
 * type_engine). Each data kind is a transformer in the registry; the engine
 * handles what spans kinds: recursion, cycles, `union`, `any`, and wording
 * errors with the entity and the field path.
 *
 *   encode(value, ctx)  task outputs, constants in workflow bodies → WireValue
 *   decode(wire, ctx)   task inputs → values user code reads (File, Dir, Date…)
 *   validate(wire, spec, field) → problems, empty when the value fits
 *   canonicalJson / hashWire     what cache keys hash
 */
import type { TypeSpec } from "../../compiler/type-spec.ts";
import { AloftError } from "../../compiler/errors.ts";
import { whyNotData } from "./not-data.ts";
import type { DataContext, DataTransformer, DecodeScope, EncodeScope, ValidateScope } from "./transformer.ts";
import { arrayTransformer } from "./transformers/array.ts";
import { dateTransformer } from "./transformers/date.ts";
import { dirTransformer } from "./transformers/dir.ts";
import { fileTransformer } from "./transformers/file.ts";
import { primitiveTransformer } from "./transformers/primitive.ts";
import { recordTransformer } from "./transformers/record.ts";
import { unionProblems } from "./union-validation.ts";
import type { WireValue } from "./wire.ts";

export { canonicalJson, hashWire } from "./canonical-json.ts";
export type { DataContext, EntityKindLabel } from "./transformer.ts";

const DATA_KINDS = "strings, numbers, booleans, null, arrays, plain objects, Date, File and Dir";

/** More problems than this say nothing new; the rest are counted. */
const MAX_PROBLEMS = 20;

export class TypeEngine {
  readonly #transformers: readonly DataTransformer[];
  readonly #bySpecKind = new Map<TypeSpec["kind"], DataTransformer>();

  /** Order matters where kinds overlap: the first transformer that accepts a value or wire form wins. */
  constructor(transformers: readonly DataTransformer[]) {
    this.#transformers = transformers;
    for (const transformer of transformers) {
      for (const kind of transformer.kinds) {
        if (this.#bySpecKind.has(kind)) throw new Error(`type engine: two transformers validate "${kind}"`);
        this.#bySpecKind.set(kind, transformer);
      }
    }
  }

  async encode(value: unknown, context: DataContext): Promise<WireValue> {
    const ancestors = new Map<object, string>();
    const scope: EncodeScope = {
      context,
      encode: async (item, field) => {
        if (typeof item === "object" && item !== null) {
          const holder = ancestors.get(item);
          if (holder !== undefined) throw scope.notData(field, `is ${holder} again, which contains it (a cycle)`);
        }
        const transformer = this.#transformers.find((t) => t.acceptsValue(item));
        if (!transformer) throw scope.notData(field, whyNotData(item));
        if (typeof item !== "object" || item === null) return transformer.encode(item, field, scope);
        ancestors.set(item, field);
        try {
          return await transformer.encode(item, field, scope);
        } finally {
          ancestors.delete(item);
        }
      },
      notData: (field, reason) => {
        const rule = context.root.startsWith("output") ? `tasks return data: ${DATA_KINDS}` : `only data passes between tasks: ${DATA_KINDS}`;
        return dataInvalid(context, field, `${reason}; ${rule}`);
      },
      invalid: (field, reason) => dataInvalid(context, field, reason),
    };
    return scope.encode(value, context.root);
  }

  async decode(wire: WireValue, context: DataContext): Promise<unknown> {
    const scope: DecodeScope = {
      context,
      decode: async (item, field) => {
        const transformer = this.#transformers.find((t) => t.acceptsWire(item));
        if (!transformer) throw dataInvalid(context, field, `holds ${typeof item} ${String(item)}, which is not a wire value`);
        try {
          return await transformer.decode(item, field, scope);
        } catch (error) {
          // The innermost failing field is the one worth naming (a missing blob deep in a record).
          if (error instanceof AloftError && error.info.field === undefined) {
            throw new AloftError({ ...error.info, entity: context.entity, field, message: `${field} of ${label(context)}: ${error.message}` });
          }
          throw error;
        }
      },
    };
    return scope.decode(wire, context.root);
  }

  validate(wire: WireValue, spec: TypeSpec, field: string): string[] {
    const problems = this.#validate(wire, spec, field);
    if (problems.length <= MAX_PROBLEMS) return problems;
    return [...problems.slice(0, MAX_PROBLEMS), `… and ${problems.length - MAX_PROBLEMS} more problems`];
  }

  readonly #scope: ValidateScope = { validate: (wire, spec, field) => this.#validate(wire, spec, field) };

  #validate(wire: WireValue, spec: TypeSpec, field: string): string[] {
    if (spec.kind === "any") return [];
    if (spec.kind === "union") return unionProblems(wire, spec, field, this.#scope);
    const transformer = this.#bySpecKind.get(spec.kind);
    if (!transformer) return [`${field}: type engine has no transformer for type kind "${spec.kind}"`];
    return transformer.validate(wire, spec, field, this.#scope);
  }
}

function label(context: DataContext): string {
  return `${context.entityKind ?? "task"} "${context.entity}"`;
}

function dataInvalid(context: DataContext, field: string, reason: string): AloftError {
  return new AloftError({ code: "DATA_INVALID", entity: context.entity, field, message: `${field} of ${label(context)} ${reason}` });
}

/** The registry every part of aloft uses. */
export const typeEngine = new TypeEngine([
  primitiveTransformer,
  dateTransformer,
  fileTransformer,
  dirTransformer,
  arrayTransformer,
  recordTransformer,
]);

export const encode = (value: unknown, context: DataContext): Promise<WireValue> => typeEngine.encode(value, context);
export const decode = (wire: WireValue, context: DataContext): Promise<unknown> => typeEngine.decode(wire, context);
export const validate = (wire: WireValue, spec: TypeSpec, field: string): string[] => typeEngine.validate(wire, spec, field);
