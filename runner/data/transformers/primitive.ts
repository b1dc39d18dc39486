/**
 * Strings, finite numbers, booleans and null travel as themselves.
 * `undefined` has no JSON form: the record transformer drops fields holding
 * it, and anywhere else (an array item, a task returning nothing) it becomes
 * null, which is also what the `undefined` spec accepts.
 */
import type { TypeSpec } from "../../../compiler/type-spec.ts";
import type { DataTransformer } from "../transformer.ts";
import type { WireValue } from "../wire.ts";
import { mismatch } from "../wire-describe.ts";

export const primitiveTransformer: DataTransformer = {
  name: "primitive",
  kinds: ["string", "number", "boolean", "null", "undefined", "literal"],

  acceptsValue(value) {
    return (
      value === undefined ||
      value === null ||
      typeof value === "string" ||
      typeof value === "boolean" ||
      (typeof value === "number" && Number.isFinite(value))
    );
  },

  async encode(value) {
    return value === undefined ? null : (value as WireValue);
  },

  acceptsWire(wire) {
    return wire === null || typeof wire !== "object";
  },

  async decode(wire) {
    return wire;
  },

  validate(wire, spec, field) {
    return fits(wire, spec) ? [] : [mismatch(field, spec, wire)];
  },
};

function fits(wire: WireValue, spec: TypeSpec): boolean {
  switch (spec.kind) {
    case "string":
      return typeof wire === "string";
    case "number":
      return typeof wire === "number" && Number.isFinite(wire);
    case "boolean":
      return typeof wire === "boolean";
    case "null":
    case "undefined":
      return wire === null;
    case "literal":
      return wire === spec.value;
    default:
      return false;
  }
}
