/**
 * The contract of one data kind in the type engine (flytekit's
 * TypeTransformer): how its values become wire values, come back, and are
 * checked against a type spec. The engine owns recursion, cycles, unions and
 * error wording; a transformer only knows its own kind.
 */
import type { TypeSpec } from "../../compiler/type-spec.ts";
import type { BlobStore } from "../blobs/blob-store.ts";
import type { AloftError } from "../../compiler/errors.ts";
import type { WireValue } from "./wire.ts";

export type EntityKindLabel = "task" | "workflow" | "dynamic";

export interface DataContext {
  blobs: BlobStore;
  /** The entity whose data this is, named in errors: `task "fit"`. */
  entity: string;
  /** Defaults to `task`. */
  entityKind?: EntityKindLabel;
  /** Where the value sits; field paths in errors start here: `output`, `input "x"`. */
  root: string;
}

export interface EncodeScope {
  readonly context: DataContext;
  encode(value: unknown, field: string): Promise<WireValue>;
  /** The value is not data at all (a function, a Map): `reason` completes "<field> of task "t" ...". */
  notData(field: string, reason: string): AloftError;
  /** The value is data of the right kind but cannot be stored as it is (a File whose path is gone). */
  invalid(field: string, reason: string): AloftError;
}

export interface DecodeScope {
  readonly context: DataContext;
  decode(wire: WireValue, field: string): Promise<unknown>;
}

export interface ValidateScope {
  validate(wire: WireValue, spec: TypeSpec, field: string): string[];
}

export interface DataTransformer {
  readonly name: string;
  /** The spec kinds this transformer validates; `union` and `any` belong to the engine. */
  readonly kinds: readonly TypeSpec["kind"][];
  acceptsValue(value: unknown): boolean;
  encode(value: unknown, field: string, scope: EncodeScope): Promise<WireValue>;
  acceptsWire(wire: WireValue): boolean;
  decode(wire: WireValue, field: string, scope: DecodeScope): Promise<unknown>;
  /** Problems, each starting with its field path; empty when `wire` fits `spec`. */
  validate(wire: WireValue, spec: TypeSpec, field: string, scope: ValidateScope): string[];
}
