/**
 * Plain objects (prototype `Object.prototype` or null) travel field by field;
 * fields holding `undefined` are left out, as JSON leaves them out. They are
 * checked against `record` specs (named fields, optional ones may be absent,
 * unknown ones are problems) and `map` specs (any string keys, one value type).
 */
import { formatType, type FieldSpec, type TypeSpec } from "../../../compiler/type-spec.ts";
import { fieldOf } from "../field-path.ts";
import type { DataTransformer } from "../transformer.ts";
import type { WireValue } from "../wire.ts";
import { mismatch } from "../wire-describe.ts";

/** Single-key objects with these keys are the wire's own tags (see wire.ts). */
const RESERVED_KEYS = new Set(["$file", "$dir", "$date"]);

type WireRecord = { [key: string]: WireValue };

export const recordTransformer: DataTransformer = {
  name: "record",
  kinds: ["record", "map"],

  acceptsValue(value) {
    if (typeof value !== "object" || value === null) return false;
    const prototype = Object.getPrototypeOf(value);
    return prototype === Object.prototype || prototype === null;
  },

  async encode(value, field, scope) {
    const record = value as Record<string, unknown>;
    const out: WireRecord = {};
    // One at a time: the engine's cycle check follows a single path through the value.
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (item !== undefined) setOwn(out, key, await scope.encode(item, fieldOf(field, key)));
    }
    const keys = Object.keys(out);
    if (keys.length === 1 && RESERVED_KEYS.has(keys[0]!)) {
      throw scope.invalid(field, `is an object whose only field is "${keys[0]}", a name aloft reserves for File, Dir and Date references; rename the field`);
    }
    return out;
  },

  acceptsWire(wire) {
    return typeof wire === "object" && wire !== null && !Array.isArray(wire);
  },

  async decode(wire, field, scope) {
    const record = wire as WireRecord;
    const keys = Object.keys(record);
    const values = await Promise.all(keys.map((key) => scope.decode(record[key]!, fieldOf(field, key))));
    const out: Record<string, unknown> = {};
    keys.forEach((key, i) => setOwn(out, key, values[i]));
    return out;
  },

  validate(wire, spec, field, scope) {
    if (!isPlainWireRecord(wire)) return [mismatch(field, spec, wire)];
    if (spec.kind === "map") {
      return Object.keys(wire).flatMap((key) => scope.validate(wire[key]!, spec.values, fieldOf(field, key)));
    }
    if (spec.kind !== "record") return [mismatch(field, spec, wire)];
    const problems: string[] = [];
    for (const [name, fieldSpec] of Object.entries(spec.fields)) {
      const path = fieldOf(field, name);
      if (Object.hasOwn(wire, name)) problems.push(...scope.validate(wire[name]!, fieldSpec.type, path));
      else if (!mayBeAbsent(fieldSpec)) problems.push(`${path}: missing (expected ${formatType(fieldSpec.type)})`);
    }
    const declared = Object.keys(spec.fields);
    for (const name of Object.keys(wire)) {
      if (Object.hasOwn(spec.fields, name)) continue;
      const known = declared.length ? `declared fields: ${declared.join(", ")}` : "the declared type has no fields";
      problems.push(`${fieldOf(field, name)}: unexpected field (${known})`);
    }
    return problems;
  },
};

function isPlainWireRecord(wire: WireValue): wire is WireRecord {
  if (typeof wire !== "object" || wire === null || Array.isArray(wire)) return false;
  const keys = Object.keys(wire);
  return !(keys.length === 1 && RESERVED_KEYS.has(keys[0]!));
}

/** Absent is fine for `x?: T`, and for `x: T | undefined`, whose undefined the encoder drops. */
function mayBeAbsent(field: FieldSpec): boolean {
  return field.optional || acceptsUndefined(field.type);
}

function acceptsUndefined(spec: TypeSpec): boolean {
  if (spec.kind === "union") return spec.options.some(acceptsUndefined);
  return spec.kind === "undefined" || spec.kind === "any";
}

/** Assignment would treat a `__proto__` key as the prototype; data keeps it as a field. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
