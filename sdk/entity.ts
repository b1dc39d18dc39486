import { ENTITY, FIXED, runtime, type MapCall } from "./runtime.ts";
import type {
  Inputs,
  MapOptions,
  Output,
  TaskOptions,
  WiredInputs,
  Settled,
} from "./types.ts";

export type EntityKind = "task" | "workflow" | "dynamic";

/**
 * What the runner reads off an exported entity. Its shape is shared between
 * SDK copies (see runtime.ts), so it only ever grows.
 */
export interface EntityDefinition {
  readonly kind: EntityKind;
  readonly options: TaskOptions;
  readonly fn: (inputs: never) => unknown;
  /** The export name, filled in by the runner when it loads the module. */
  name?: string;
}

export interface Task<I extends Inputs, O> {
  (inputs: WiredInputs<I>): Output<O>;
  readonly [ENTITY]: EntityDefinition;
}

export interface Workflow<I extends Inputs, O> {
  (inputs: WiredInputs<I>): Output<O>;
  readonly [ENTITY]: EntityDefinition;
}

export type Dynamic<I extends Inputs, O> = Workflow<I, O>;

type TaskFn<I, O> = (inputs: I) => O | Promise<O>;

/**
 * Declares a task: an async function of ONE object of named inputs. Inside a
 * workflow a call records a node; anywhere else it simply runs.
 */
export function task<I extends Inputs, O>(fn: TaskFn<I, O>): Task<I, O>;
export function task<I extends Inputs, O>(options: TaskOptions, fn: TaskFn<I, O>): Task<I, O>;
export function task<I extends Inputs, O>(
  optionsOrFn: TaskOptions | TaskFn<I, O>,
  maybeFn?: TaskFn<I, O>,
): Task<I, O> {
  const [options, fn] =
    typeof optionsOrFn === "function" ? [{}, optionsOrFn] : [optionsOrFn, maybeFn];
  if (typeof fn !== "function") throw new TypeError("task(options, fn): fn must be a function");
  return entity<I, O>({ kind: "task", options, fn: fn as EntityDefinition["fn"] }, (inputs) =>
    fn(inputs as I),
  ) as Task<I, O>;
}

/**
 * Declares a workflow. Its body runs once, when the runner builds the graph:
 * each call returns a promise of that call's outputs, which can only be passed
 * on to other calls or returned. Called directly (a test), it runs its tasks.
 */
export function workflow<I extends Inputs, R>(fn: (inputs: I) => R): Workflow<I, Settled<R>> {
  return entity<I, Settled<R>>({ kind: "workflow", options: {}, fn: fn as EntityDefinition["fn"] }, (inputs) =>
    settle(fn(inputs as I)),
  ) as Workflow<I, Settled<R>>;
}

/**
 * Declares a dynamic workflow: its body runs at execution time with real
 * inputs, so it may loop and branch on them; the graph it builds runs as a
 * sub-workflow.
 */
export function dynamic<I extends Inputs, R>(fn: (inputs: I) => R): Dynamic<I, Settled<Awaited<R>>> {
  return entity<I, Settled<Awaited<R>>>({ kind: "dynamic", options: {}, fn: fn as EntityDefinition["fn"] }, async (inputs) =>
    settle(await fn(inputs as I)),
  ) as Dynamic<I, Settled<Awaited<R>>>;
}

export type MapInputs<I> = { [K in keyof I]: WiredInputs<{ v: I[K][] }>["v"] | Fixed<I[K]> };

export interface Fixed<T> {
  readonly [FIXED]: true;
  readonly value: T | Promise<T>;
}

/** Passes the same value to every item of a `map` instead of one per item. */
export function fixed<T>(value: T | Promise<T>): Fixed<T> {
  return { [FIXED]: true, value };
}

export interface MapTask<I extends Inputs, O> {
  (inputs: MapInputs<I>): Output<O[]>;
}

/**
 * Runs `t` once per item of its list inputs (all of equal length), in
 * parallel. With `minSuccessRatio` below 1, failed items become `null`.
 */
export function map<I extends Inputs, O>(
  t: Task<I, O>,
  options: MapOptions & { minSuccessRatio: number },
): (inputs: MapInputs<I>) => Output<(O | null)[]>;
export function map<I extends Inputs, O>(t: Task<I, O>, options?: MapOptions): MapTask<I, O>;
export function map<I extends Inputs, O>(t: Task<I, O>, options: MapOptions = {}): MapTask<I, O> {
  const definition = definitionOf(t);
  if (!definition || definition.kind !== "task") throw new TypeError("map(t): t must be a task");
  const call: MapCall = { ...options };
  return ((inputs: MapInputs<I>) => {
    if (runtime.tracer) return runtime.tracer.call(definition, inputs, call);
    return withNamedOutputs(runMapDirectly(t, inputs, options));
  }) as MapTask<I, O>;
}

export function definitionOf(value: unknown): EntityDefinition | undefined {
  if ((typeof value !== "function" && typeof value !== "object") || value === null) return undefined;
  return (value as { [ENTITY]?: EntityDefinition })[ENTITY];
}

function entity<I, O>(definition: EntityDefinition, run: (inputs: I) => unknown): unknown {
  const call = (inputs: WiredInputs<I>) => {
    if (runtime.tracer) return runtime.tracer.call(definition, inputs);
    const running = settleInputs(inputs).then((resolved) =>
      definition.kind === "task" ? runtime.directCall.run({}, () => run(resolved as I)) : run(resolved as I),
    );
    return withNamedOutputs(running as Promise<O>);
  };
  Object.defineProperty(call, ENTITY, { value: definition });
  return call;
}

/** Awaits the promises a direct (untraced) call was given as inputs. */
async function settleInputs(inputs: unknown): Promise<unknown> {
  if (inputs === null || typeof inputs !== "object") return inputs;
  const entries = await Promise.all(
    Object.entries(inputs).map(async ([k, v]) => [k, await v] as const),
  );
  return Object.fromEntries(entries);
}

/** Awaits a workflow body's result: a promise or a record of promises. */
async function settle(result: unknown): Promise<unknown> {
  const value = await result;
  if (Array.isArray(value)) return Promise.all(value);
  if (value === null || typeof value !== "object") return value;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return settleInputs(value);
}

async function runMapDirectly<I extends Inputs, O>(
  t: Task<I, O>,
  inputs: MapInputs<I>,
  options: MapOptions,
): Promise<(O | null)[]> {
  const settled = (await settleInputs(
    Object.fromEntries(
      Object.entries(inputs).map(([k, v]) => [k, isFixed(v) ? v.value : v]),
    ),
  )) as Record<string, unknown>;
  const listed = Object.keys(inputs).filter((k) => !isFixed((inputs as Record<string, unknown>)[k]));
  const length = listed.length ? (settled[listed[0]!] as unknown[]).length : 0;
  const results: (O | null)[] = new Array(length).fill(null);
  let failures = 0;
  let next = 0;
  const worker = async () => {
    while (next < length) {
      const i = next++;
      const item = Object.fromEntries(
        Object.keys(settled).map((k) => [k, listed.includes(k) ? (settled[k] as unknown[])[i] : settled[k]]),
      );
      try {
        results[i] = await t(item as WiredInputs<I>);
      } catch (error) {
        failures++;
        if ((options.minSuccessRatio ?? 1) >= 1) throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? length, length) || 1 }, worker));
  if (length && (length - failures) / length < (options.minSuccessRatio ?? 1)) {
    throw new Error(`map: ${length - failures} of ${length} items succeeded, below minSuccessRatio ${options.minSuccessRatio}`);
  }
  return results;
}

function isFixed(value: unknown): value is Fixed<unknown> {
  return typeof value === "object" && value !== null && FIXED in value;
}

/** Lets `call(...).field` work on a direct call, as it does in a workflow. */
function withNamedOutputs<O>(promise: Promise<O>): Output<O> {
  return new Proxy(promise, {
    get(target, key, receiver) {
      if (typeof key === "symbol" || key in target) {
        const value = Reflect.get(target, key, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return target.then((value) => (value as Record<string, unknown>)[key]);
    },
  }) as Output<O>;
}
