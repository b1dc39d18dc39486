import type { File, Dir } from "./file.ts";

/** A value aloft can serialize, hash, cache and move between tasks. */
export type Data =
  | string
  | number
  | boolean
  | null
  | undefined
  | Date
  | File
  | Dir
  | readonly Data[]
  | { readonly [key: string]: Data };

/**
 * The one object of named inputs a task or workflow takes. It is `object`,
 * not a record of `Data`, because TypeScript does not let interfaces match an
 * index signature; whether each input is data is checked by aloft's checker
 * and, at run time, by the type engine, which names the offending field.
 */
export type Inputs = object;

/**
 * What a caller may pass for an input: the value itself or, inside a workflow,
 * the promised output of another call (or, for a list or a record, a list or
 * record holding them). A
 * `Promise<number[]>` is not assignable where `string[]` is expected, so
 * `tsc` rejects a miswired workflow.
 */
export type Wired<T> =
  | T
  | Promise<T>
  | (T extends readonly (infer E)[]
      ? readonly Wired<E>[]
      : T extends File | Dir | Date
        ? never
        : T extends object
          ? { [K in keyof T]: Wired<T[K]> }
          : never);

export type WiredInputs<I> = { [K in keyof I]: Wired<I[K]> };

type Opaque = File | Dir | Date | readonly unknown[] | null | undefined;

/** A record output also exposes each field as its own promise: `load(...).rows`. */
export type NamedOutputs<O> = [O] extends [Opaque]
  ? unknown
  : O extends object
    ? { readonly [K in keyof O]: Promise<O[K]> }
    : unknown;

/** The result of calling a task, workflow or map. */
export type Output<O> = Promise<O> & NamedOutputs<O>;

/**
 * What a workflow body's result settles to: a promised value to that value, a
 * record or list of promised values to the record or list of their values.
 */
export type Settled<R> = R extends PromiseLike<infer T>
  ? T
  : R extends File | Dir | Date
    ? R
    : R extends object
      ? { [K in keyof R]: Awaited<R[K]> }
      : R;

export interface Resources {
  /** Kubernetes CPU quantity: `"500m"`, `"2"` or a number of cores. */
  cpu?: string | number;
  /** Kubernetes memory quantity: `"512Mi"`, `"2Gi"`. */
  memory?: string;
  gpu?: number;
}

export interface CacheOptions {
  /** Bump to invalidate cached outputs when behaviour changes outside the code. */
  version: string;
}

export interface ReuseOptions {
  replicas?: number | [min: number, max: number];
  idleTimeout?: number;
}

export interface TaskOptions {
  /** Attempts after the first when the task throws or its worker dies. */
  retries?: number;
  /** Milliseconds (number) or a duration string like `"30s"`, `"5m"`. */
  timeout?: number | string;
  cache?: CacheOptions;
  resources?: Resources;
  image?: ImageSpec;
  reuse?: ReuseOptions;
  interruptible?: boolean;
}

export interface MapOptions {
  /** Items run at once; unbounded (up to the worker pool) when omitted. */
  concurrency?: number;
  /** Fraction of items that must succeed; failed items become `null`. */
  minSuccessRatio?: number;
}

export interface ImageSpec {
  readonly base: string;
  readonly packages: readonly string[];
  readonly apt: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Content hash of the spec: equal specs name the same image. */
  readonly name: string;
}
