/**
 * JSON given on the command line, read against the input's type: where the
 * type says File or Dir a string is a local path (uploaded to the blob
 * store), where it says Date a string is an ISO date. Everything else stays
 * as parsed; the caller validates the result against the type.
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { TypeSpec } from "../../compiler/type-spec.ts";
import type { BlobStore } from "../blobs/blob-store.ts";
import { fieldOf, itemOf } from "./field-path.ts";
import { typeEngine } from "./type-engine.ts";
import { isIsoDate } from "./transformers/date.ts";
import type { WireValue } from "./wire.ts";

/** A path that is missing or of the wrong kind; `field` says where in the input it was. */
export class LocalPathProblem extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

export interface JsonReading {
  blobs: BlobStore;
  /** When true (inside unions), a bad path leaves the string as it is instead of failing. */
  lenient: boolean;
}

export async function jsonToWire(json: unknown, spec: TypeSpec, field: string, reading: JsonReading): Promise<WireValue> {
  switch (spec.kind) {
    case "file":
    case "dir":
      return typeof json === "string" ? uploadPath(json, spec.kind, field, reading) : (json as WireValue);
    case "date":
      return isIsoDate(json) ? { $date: new Date(json).toISOString() } : (json as WireValue);
    case "array":
      if (!Array.isArray(json)) return json as WireValue;
      return Promise.all(json.map((item, i) => jsonToWire(item, spec.items, itemOf(field, i), reading)));
    case "record":
    case "map": {
      if (typeof json !== "object" || json === null || Array.isArray(json)) return json as WireValue;
      const record = json as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const type = spec.kind === "map" ? spec.values : spec.fields[key]?.type;
        if (type) record[key] = await jsonToWire(record[key], type, fieldOf(field, key), reading);
      }
      return record as WireValue;
    }
    case "union":
      for (const option of spec.options) {
        const wire = await jsonToWire(structuredClone(json), option, field, { ...reading, lenient: true });
        if (!typeEngine.validate(wire, option, field).length) return wire;
      }
      return json as WireValue;
    default:
      return json as WireValue;
  }
}

/** Uploads a local File or Dir named on the command line, resolved from the current directory. */
export async function uploadPath(text: string, kind: "file" | "dir", field: string, reading: JsonReading): Promise<WireValue> {
  const path = resolve(process.cwd(), text);
  const info = await stat(path).catch(() => undefined);
  const problem = !info
    ? `${path} does not exist`
    : kind === "file" && !info.isFile()
      ? `${path} is ${info.isDirectory() ? "a directory; pass a file (or declare the input as Dir)" : "not a regular file"}`
      : kind === "dir" && !info.isDirectory()
        ? `${path} is a file, not a directory (or declare the input as File)`
        : undefined;
  if (problem) {
    if (reading.lenient) return text;
    throw new LocalPathProblem(field, problem);
  }
  return kind === "file" ? reading.blobs.putFile(path) : reading.blobs.putDir(path);
}
