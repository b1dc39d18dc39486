/**
 * A value fits a union when it fits one option. When none fits, the problems
 * of the one option shaped like the value (the only record among the
 * options, say) explain more than "expected A | B"; otherwise the union is
 * named whole.
 */
import type { TypeSpec } from "../../compiler/type-spec.ts";
import type { ValidateScope } from "./transformer.ts";
import { isWireDate, isWireDir, isWireFile, type WireValue } from "./wire.ts";
import { describeWire, mismatch } from "./wire-describe.ts";

export function unionProblems(wire: WireValue, spec: Extract<TypeSpec, { kind: "union" }>, field: string, scope: ValidateScope): string[] {
  if (!spec.options.length) return [`${field}: expected no value (the type is never), got ${describeWire(wire)}`];
  const results = spec.options.map((option) => scope.validate(wire, option, field));
  if (results.some((problems) => !problems.length)) return [];
  const shape = wireShape(wire);
  const alike = spec.options.flatMap((option, i) => (specShape(option) === shape ? [results[i]!] : []));
  return alike.length === 1 ? alike[0]! : [mismatch(field, spec, wire)];
}

type Shape = "object" | "array" | "file" | "dir" | "date" | "primitive" | "other";

function wireShape(wire: WireValue): Shape {
  if (wire === null || typeof wire !== "object") return "primitive";
  if (Array.isArray(wire)) return "array";
  if (isWireFile(wire)) return "file";
  if (isWireDir(wire)) return "dir";
  if (isWireDate(wire)) return "date";
  return "object";
}

function specShape(spec: TypeSpec): Shape {
  switch (spec.kind) {
    case "record":
    case "map":
      return "object";
    case "array":
    case "file":
    case "dir":
    case "date":
      return spec.kind;
    case "union":
    case "any":
      return "other";
    default:
      return "primitive";
  }
}
