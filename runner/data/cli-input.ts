/**
 * Inputs given on the command line (`aloft run FILE ENTITY --epochs 3`), read
 * against the entity's declared input types: numbers, booleans and strings as
 * typed, `null`, ISO dates, arrays and records as JSON, File and Dir as local
 * paths (uploaded to the blob store). The result is validated through the
 * type engine like any other value.
 */
import { formatType, type EntityInterface, type TypeSpec } from "../../compiler/type-spec.ts";
import type { BlobStore } from "../blobs/blob-store.ts";
import { AloftError } from "../../compiler/errors.ts";
import { jsonToWire, LocalPathProblem, uploadPath, type JsonReading } from "./cli-json.ts";
import { isIsoDate } from "./transformers/date.ts";
import { typeEngine } from "./type-engine.ts";
import type { WireValue } from "./wire.ts";

export { checkInputNames } from "./input-names.ts";

/** Who the input belongs to, for messages: `input "n" of workflow "train"`. */
export type InputOwner = Pick<EntityInterface, "name" | "kind">;

type Reading = { value: WireValue } | { problem?: string };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const SHOWN_TEXT = 60;

export async function parseCliValue(text: string, spec: TypeSpec, input: string, blobs: BlobStore, owner?: InputOwner): Promise<WireValue> {
  let reading: Reading;
  try {
    reading = await readAs(text, spec, input, { blobs, lenient: false });
  } catch (error) {
    if (!(error instanceof LocalPathProblem)) throw error;
    const where = error.field === input ? "" : `${error.field}: `;
    throw inputInvalid(input, owner, `${describeInput(input, owner)} expects ${formatType(spec)}: ${where}${error.detail}`);
  }
  if ("value" in reading) return reading.value;
  const shown = JSON.stringify(text.length > SHOWN_TEXT ? `${text.slice(0, SHOWN_TEXT)}…` : text);
  const detail = reading.problem ? `: ${reading.problem}` : "";
  throw inputInvalid(input, owner, `${describeInput(input, owner)} expects ${formatType(spec)}, got ${shown}${detail}`);
}

async function readAs(text: string, spec: TypeSpec, input: string, reading: JsonReading): Promise<Reading> {
  switch (spec.kind) {
    case "string":
      return { value: text };
    case "number":
      return NUMBER.test(text.trim()) ? { value: Number(text) } : {};
    case "boolean":
      return text === "true" || text === "false" ? { value: text === "true" } : {};
    case "null":
      return text === "null" ? { value: null } : {};
    case "undefined":
      return { problem: "leave the input out to pass undefined" };
    case "literal":
      return literal(text, spec.value);
    case "date":
      return isIsoDate(text) ? { value: { $date: new Date(text).toISOString() } } : { problem: "dates are ISO 8601, like 2024-05-01 or 2024-05-01T12:00:00Z" };
    case "file":
    case "dir": {
      const value = await uploadPath(text, spec.kind, input, reading);
      return typeof value === "string" ? {} : { value };
    }
    case "array":
    case "record":
    case "map":
      return structured(text, spec, input, reading);
    case "union":
      return union(text, spec.options, input, reading);
    case "any":
      return { value: parseJsonOr(text) };
  }
}

function literal(text: string, expected: string | number | boolean): Reading {
  let given: string | number | boolean | undefined = text;
  if (typeof expected === "number") given = NUMBER.test(text.trim()) ? Number(text) : undefined;
  if (typeof expected === "boolean") given = text === "true" ? true : text === "false" ? false : undefined;
  return given === expected ? { value: expected } : {};
}

async function structured(text: string, spec: TypeSpec, input: string, reading: JsonReading): Promise<Reading> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: `give it as JSON (${(error as Error).message})` };
  }
  const wire = await jsonToWire(json, spec, input, reading);
  const problems = typeEngine.validate(wire, spec, input);
  return problems.length ? { problem: problems.join("; ") } : { value: wire };
}

/**
 * Options are tried from the most particular reading of the text to the
 * least: `null`, literals, booleans, numbers, dates, JSON, paths, then plain
 * strings. So `number | string` reads "42" as 42, and "forty" as "forty".
 */
async function union(text: string, options: TypeSpec[], input: string, reading: JsonReading): Promise<Reading> {
  const ordered = options.filter((o) => o.kind !== "undefined").sort((a, b) => PRECEDENCE[a.kind] - PRECEDENCE[b.kind]);
  const problems: string[] = [];
  for (const option of ordered) {
    const attempt = await readAs(text, option, input, { ...reading, lenient: true });
    if ("value" in attempt) return attempt;
    if (attempt.problem && looksLike(text, option)) problems.push(attempt.problem);
  }
  return problems.length === 1 ? { problem: problems[0] } : {};
}

const PRECEDENCE: Record<TypeSpec["kind"], number> = {
  null: 0,
  literal: 1,
  boolean: 2,
  number: 3,
  date: 4,
  array: 5,
  record: 5,
  map: 5,
  union: 5,
  file: 6,
  dir: 6,
  string: 7,
  any: 8,
  undefined: 9,
};

/** Whether a failed option's explanation is worth showing: the text was clearly meant for it. */
function looksLike(text: string, option: TypeSpec): boolean {
  const start = text.trimStart()[0];
  if (option.kind === "array") return start === "[";
  if (option.kind === "record" || option.kind === "map") return start === "{";
  return option.kind === "date" && /^\d{4}-/.test(text);
}

/** `any` takes JSON when the text is JSON (`3`, `null`, `{"a":1}`), and the text itself otherwise. */
function parseJsonOr(text: string): WireValue {
  try {
    return JSON.parse(text) as WireValue;
  } catch {
    return text;
  }
}

export function describeInput(input: string, owner: InputOwner | undefined): string {
  return owner ? `input "${input}" of ${owner.kind} "${owner.name}"` : `input "${input}"`;
}

function inputInvalid(input: string, owner: InputOwner | undefined, message: string): AloftError {
  return new AloftError({ code: "INPUT_INVALID", entity: owner?.name, field: input, message });
}
