/**
 * The worker's one door to the type engine: every value that enters or
 * leaves user code (task inputs and outputs, constants in workflow bodies)
 * passes through here, so the worker never serializes data by hand.
 */
import { BlobStore } from "../blobs/blob-store.ts";
import { decode, encode, type EntityKindLabel } from "../data/type-engine.ts";
import type { WireValue } from "../data/wire.ts";

/** Whose data it is and where it sits, for the type engine's errors: `output of task "fit"`. */
export interface DataPlace {
  entity: string;
  kind: EntityKindLabel;
  /** Root of the field paths in errors: `output`, `input "x"`. */
  root: string;
}

export interface Codec {
  encode(value: unknown, place: DataPlace): Promise<WireValue>;
  decode(wire: WireValue, place: DataPlace): Promise<unknown>;
}

export function blobCodec(blobRoot: string): Codec {
  const blobs = new BlobStore(blobRoot);
  return {
    encode: (value, { entity, kind, root }) => encode(value, { blobs, entity, entityKind: kind, root }),
    decode: (wire, { entity, kind, root }) => decode(wire, { blobs, entity, entityKind: kind, root }),
  };
}
