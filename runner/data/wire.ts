/**
 * The wire form of data: plain JSON, with offloaded and non-JSON types as
 * single-key tagged objects. It is what the store keeps, what workers and the
 * runner exchange, and what cache keys hash.
 */
export type WireValue =
  | string
  | number
  | boolean
  | null
  | WireValue[]
  | { [key: string]: WireValue }
  | WireFile
  | WireDir
  | WireDate;

/** A file in the blob store. `digest` is `sha256:<hex>` of its bytes. */
export interface WireFile {
  $file: { digest: string; name: string; size: number };
}

/** A directory: `digest` names a blob holding its manifest (see blob store). */
export interface WireDir {
  $dir: { digest: string; name: string };
}

export interface WireDate {
  $date: string;
}

export function isWireFile(v: unknown): v is WireFile {
  return typeof v === "object" && v !== null && "$file" in v && Object.keys(v).length === 1;
}

export function isWireDir(v: unknown): v is WireDir {
  return typeof v === "object" && v !== null && "$dir" in v && Object.keys(v).length === 1;
}

export function isWireDate(v: unknown): v is WireDate {
  return typeof v === "object" && v !== null && "$date" in v && Object.keys(v).length === 1;
}
