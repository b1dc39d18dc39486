/** Short descriptions of wire values for messages: `got "abc"`, `got an array of 3 items`. */
import { formatType, type TypeSpec } from "../../compiler/type-spec.ts";
import { isWireDate, isWireDir, isWireFile, type WireValue } from "./wire.ts";

const MAX_SHOWN = 40;

export function describeWire(wire: WireValue | undefined): string {
  if (wire === undefined) return "nothing";
  if (wire === null || typeof wire === "boolean" || typeof wire === "number") return String(wire);
  if (typeof wire === "string") return JSON.stringify(wire.length > MAX_SHOWN ? `${wire.slice(0, MAX_SHOWN)}…` : wire);
  if (Array.isArray(wire)) return wire.length ? `an array of ${wire.length} item${wire.length === 1 ? "" : "s"}` : "an empty array";
  if (isWireFile(wire)) return "a File";
  if (isWireDir(wire)) return "a Dir";
  if (isWireDate(wire)) return "a Date";
  const keys = Object.keys(wire);
  if (!keys.length) return "an empty object";
  const shown = keys.slice(0, 5).join(", ");
  return `an object with field${keys.length === 1 ? "" : "s"} ${shown}${keys.length > 5 ? ", …" : ""}`;
}

/** The standard validation problem: `output.score: expected number, got "high"`. */
export function mismatch(field: string, spec: TypeSpec, wire: WireValue | undefined): string {
  return `${field}: expected ${formatType(spec)}, got ${describeWire(wire)}`;
}
