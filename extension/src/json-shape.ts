/**
 * Whether parsed JSON fits an input's type, read the way the CLI reads JSON
 * inputs (runner/data/cli-json.ts): File and Dir are path strings, a Date is
 * an ISO string, records have their declared fields only. The CLI validates
 * again; this lets the form say what is wrong before anything runs.
 */
import type { TypeSpec } from "../../server/protocol.ts";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function isIsoDate(text: unknown): text is string {
  return typeof text === "string" && ISO_DATE.test(text) && !Number.isNaN(Date.parse(text));
}

/** Problems of `json` against `spec`, each naming where (`data[2].name: expected number`); empty when it fits. */
export function jsonProblems(json: unknown, spec: TypeSpec, field: string): string[] {
  switch (spec.kind) {
    case "string":
    case "file":
    case "dir":
      return typeof json === "string" ? [] : [expected(field, spec.kind === "string" ? "a string" : `a ${spec.kind === "file" ? "file" : "folder"} path`, json)];
    case "number":
      return typeof json === "number" && Number.isFinite(json) ? [] : [expected(field, "a number", json)];
    case "boolean":
      return typeof json === "boolean" ? [] : [expected(field, "true or false", json)];
    case "null":
      return json === null ? [] : [expected(field, "null", json)];
    case "undefined":
      return [`${field}: leave it out to pass undefined`];
    case "literal":
      return json === spec.value ? [] : [expected(field, JSON.stringify(spec.value), json)];
    case "date":
      return isIsoDate(json) ? [] : [expected(field, "an ISO date like 2024-05-01", json)];
    case "array":
      if (!Array.isArray(json)) return [expected(field, "an array", json)];
      return json.flatMap((item, i) => jsonProblems(item, spec.items, `${field}[${i}]`));
    case "map":
      if (!isPlainObject(json)) return [expected(field, "an object", json)];
      return Object.entries(json).flatMap(([key, value]) => jsonProblems(value, spec.values, fieldOf(field, key)));
    case "record": {
      if (!isPlainObject(json)) return [expected(field, "an object", json)];
      const problems: string[] = [];
      for (const [name, fieldSpec] of Object.entries(spec.fields)) {
        if (Object.hasOwn(json, name) && json[name] !== undefined) problems.push(...jsonProblems(json[name], fieldSpec.type, fieldOf(field, name)));
        else if (!fieldSpec.optional) problems.push(`${fieldOf(field, name)}: missing`);
      }
      for (const name of Object.keys(json)) if (!Object.hasOwn(spec.fields, name)) problems.push(`${fieldOf(field, name)}: unexpected field`);
      return problems;
    }
    case "union": {
      const options = spec.options.filter((option) => option.kind !== "undefined");
      if (options.some((option) => !jsonProblems(json, option, field).length)) return [];
      // One option of the value's own shape explains best what is wrong inside it.
      const sameShape = options.filter((option) => specShape(option) === valueShape(json));
      return sameShape.length === 1 ? jsonProblems(json, sameShape[0]!, field) : [expected(field, `one of ${options.map(describe).join(", ")}`, json)];
    }
    case "any":
      return [];
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fieldOf(parent: string, key: string): string {
  return IDENTIFIER.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function expected(field: string, what: string, got: unknown): string {
  const shown = JSON.stringify(got) ?? "undefined";
  return `${field}: expected ${what}, got ${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}`;
}

/** The JSON shape a value has: "array", "object", "null", or its typeof. */
function valueShape(value: unknown): string {
  if (Array.isArray(value)) return "array";
  return value === null ? "null" : typeof value;
}

/** The JSON shape values of a spec have. */
function specShape(spec: TypeSpec): string {
  switch (spec.kind) {
    case "array":
      return "array";
    case "record":
    case "map":
      return "object";
    case "file":
    case "dir":
    case "date":
      return "string";
    case "literal":
      return typeof spec.value;
    default:
      return spec.kind;
  }
}

function describe(spec: TypeSpec): string {
  return spec.kind === "literal" ? JSON.stringify(spec.value) : spec.kind;
}
