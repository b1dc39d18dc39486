/**
 * aloft's checks of an entity's options (`task(options, fn)`) and of a map's
 * (`map(task, options)`): a misspelled key, a CPU or memory quantity
 * Kubernetes would refuse, negative retries, a cache without a version, a
 * timeout the runner cannot read... each reported where the value is written,
 * naming the entity and the option, before anything runs.
 *
 * Only values the source pins down are judged (see static-value.ts): an
 * option computed by a call or read from a `let` is left alone, so correct
 * code never gets a false alarm.
 */
import type { CacheOptions, ImageSpec, MapOptions, Resources, ReuseOptions, TaskOptions } from "../sdk/types.ts";
import { rangeToPositions, type CompilerDiagnostic, type DiagnosticFix } from "./diagnostics.ts";
import { parseDurationText } from "./duration.ts";
import { ceilMillis, formatMagnitude, isWhole, isWholeMillis, parseQuantity } from "./resource-quantity.ts";
import { renameKeyFix } from "./rename-fix.ts";
import { closestName } from "./spelling.ts";
import { StaticEvaluator, type StaticObject, type StaticValue } from "./static-value.ts";
import type { Expression, Node, OpenedFile } from "./ts-api.ts";

/** Stable codes of the diagnostics below. */
export const OPTION_CODES = {
  unknown: "ALOFT_OPTION_UNKNOWN",
  invalid: "ALOFT_OPTION_INVALID",
  quantity: "ALOFT_RESOURCE_QUANTITY",
  retries: "ALOFT_RETRIES_INVALID",
  timeout: "ALOFT_TIMEOUT_INVALID",
  cacheVersion: "ALOFT_CACHE_NO_VERSION",
} as const;

/**
 * Checks the options of `task(options, fn)`. `subject` names the entity in
 * messages, like `task "trainModel"`.
 */
export function checkEntityOptions(opened: OpenedFile, options: Expression, subject: string): CompilerDiagnostic[] {
  return checkOptions(opened, options, subject, TASK_OPTIONS, MAP_OPTIONS, "map(task, { ... })");
}

/**
 * Checks the options of `map(task, options)`. `subject` names the map in
 * messages, like `map over task "score"`.
 */
export function checkMapOptions(opened: OpenedFile, options: Expression, subject: string): CompilerDiagnostic[] {
  return checkOptions(opened, options, subject, MAP_OPTIONS, TASK_OPTIONS, "task({ ... }, fn)");
}

interface Field {
  /** The code of every problem with this option. */
  code: string;
  /** What a value of the wrong kind should have been: `a whole number, 0 or more`. */
  expected: string;
  /** Nested options: the value is an object with these keys. */
  fields?: Fields;
  /** Judges a known value (never `unknown` or `undefined`). */
  check?: (value: StaticValue, option: OptionSite, out: Reporter) => void;
}

type Fields = Record<string, Field>;

interface OptionSite {
  /** `resources.cpu`. */
  path: string;
  /** Where the key is written. */
  nameAt: Node;
}

function checkOptions(
  opened: OpenedFile,
  options: Expression,
  subject: string,
  fields: Fields,
  otherFields: Fields,
  otherPlace: string,
): CompilerDiagnostic[] {
  const out = new Reporter(opened, subject);
  const value = new StaticEvaluator(opened).evaluate(options);
  if (value.kind === "object") {
    checkObject(value, "", fields, out, { root: fields, otherFields, otherPlace });
  } else if (value.kind !== "unknown" && value.kind !== "undefined") {
    out.error(value.at, OPTION_CODES.invalid, `the options of ${subject} are ${show(value)}; they must be an object, like { ${Object.keys(fields)[0]}: ... }`);
  }
  return out.diagnostics;
}

interface Schema {
  root: Fields;
  /** The options of the other call (a map's for a task, a task's for a map), to say where a key belongs. */
  otherFields: Fields;
  otherPlace: string;
}

function checkObject(value: StaticObject, prefix: string, fields: Fields, out: Reporter, schema: Schema): void {
  for (const property of value.properties.values()) {
    const path = prefix ? `${prefix}.${property.name}` : property.name;
    const field = Object.hasOwn(fields, property.name) ? fields[property.name] : undefined;
    if (!field) {
      const close = closestName(property.name, Object.keys(fields));
      const fix = close !== undefined ? renameKeyFix(out.opened, property.nameAt, close) : undefined;
      out.error(property.nameAt, OPTION_CODES.unknown, `${out.subject} has no option "${path}"; ${unknownHint(property.name, close, prefix, fields, schema)}`, fix);
      continue;
    }
    checkField(field, property.value, { path, nameAt: property.nameAt }, out, schema);
  }
}

function checkField(field: Field, value: StaticValue, option: OptionSite, out: Reporter, schema: Schema): void {
  if (value.kind === "unknown" || value.kind === "undefined") return;
  if (field.fields) {
    if (value.kind !== "object") return out.wrongKind(field, value, option);
    checkObject(value, option.path, field.fields, out, schema);
  }
  field.check?.(value, option, out);
}

/** "did you mean ...?", or where the key belongs, or the keys there are. */
function unknownHint(name: string, close: string | undefined, prefix: string, fields: Fields, schema: Schema): string {
  const at = (key: string) => (prefix ? `${prefix}.${key}` : key);
  if (close) return `did you mean "${at(close)}"?`;
  const elsewhere = pathOf(name, schema.root, "", at(name));
  if (elsewhere) return `did you mean "${elsewhere}"?`;
  if (!prefix && Object.hasOwn(schema.otherFields, name)) return `"${name}" is an option of ${schema.otherPlace}`;
  return `${prefix ? `"${prefix}" takes` : "the options are"} ${list(Object.keys(fields))}`;
}

/** `resources.cpu` for `cpu`: where a key written at the wrong level belongs. */
function pathOf(name: string, fields: Fields, prefix: string, written: string): string | undefined {
  for (const [key, field] of Object.entries(fields)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (key === name && path !== written) return path;
    const deeper = field.fields && pathOf(name, field.fields, path, written);
    if (deeper) return deeper;
  }
  return undefined;
}

class Reporter {
  readonly diagnostics: CompilerDiagnostic[] = [];

  constructor(
    readonly opened: OpenedFile,
    readonly subject: string,
  ) {}

  option(path: string): string {
    return `option "${path}" of ${this.subject}`;
  }

  error(at: Node, code: string, message: string, fix?: DiagnosticFix): void {
    this.#push(at, "error", code, message, fix);
  }

  warning(at: Node, code: string, message: string): void {
    this.#push(at, "warning", code, message);
  }

  wrongKind(field: Field, value: StaticValue, option: OptionSite): void {
    this.error(value.at, field.code, `${this.option(option.path)} is ${show(value)}; it must be ${field.expected}`);
  }

  #push(at: Node, severity: CompilerDiagnostic["severity"], code: string, message: string, fix?: DiagnosticFix): void {
    const { text, sourceFile, file } = this.opened;
    this.diagnostics.push({ file, ...rangeToPositions(text, at.getStart(sourceFile), at.end), severity, code, message, ...(fix ? { fix } : {}) });
  }
}

// ---- the options and their rules -------------------------------------------

const RETRIES: Field = {
  code: OPTION_CODES.retries,
  expected: "a whole number of retries, 0 or more",
  check(value, option, out) {
    if (value.kind !== "number") return out.wrongKind(RETRIES, value, option);
    if (!Number.isInteger(value.value) || value.value < 0) {
      out.error(value.at, RETRIES.code, `${out.option(option.path)} is ${show(value)}; it counts the attempts after the first, so it must be a whole number, 0 or more`);
    }
  },
};

const DURATION_FORMS = `a number of milliseconds or a duration like "30s", "5m" or "1.5h"`;

const TIMEOUT: Field = {
  code: OPTION_CODES.timeout,
  expected: DURATION_FORMS,
  check(value, option, out) {
    const subject = out.option(option.path);
    if (value.kind === "number") {
      if (!(Number.isFinite(value.value) && value.value > 0)) {
        out.error(value.at, TIMEOUT.code, `${subject} is ${show(value)}; a timeout must be more than 0: ${DURATION_FORMS}`);
      }
      return;
    }
    if (value.kind !== "string") return out.wrongKind(TIMEOUT, value, option);
    const ms = parseDurationText(value.value);
    if (ms === undefined) {
      out.error(value.at, TIMEOUT.code, `${subject} is ${show(value)}; aloft reads a duration as a number followed by ms, s, m or h, like "250ms", "30s", "5m" or "1.5h" (a number alone is milliseconds)`);
    } else if (ms === 0) {
      out.error(value.at, TIMEOUT.code, `${subject} is ${show(value)}; a timeout must be longer than 0`);
    }
  },
};

const CACHE_VERSION: Field = {
  code: OPTION_CODES.cacheVersion,
  expected: `a non-empty string like "1"`,
  check(value, option, out) {
    if (value.kind !== "string") return out.wrongKind(CACHE_VERSION, value, option);
    if (value.value === "") {
      out.error(value.at, CACHE_VERSION.code, `${out.option(option.path)} is ""; a cache needs a non-empty version like "1", bumped when cached outputs must be recomputed`);
    }
  },
};

const CACHE: Field = {
  code: OPTION_CODES.cacheVersion,
  expected: `an object with a version, like { version: "1" }, bumped when cached outputs must be recomputed`,
  fields: { version: CACHE_VERSION } satisfies Record<keyof CacheOptions, Field>,
  check(value, option, out) {
    if (value.kind !== "object" || !value.complete) return;
    const version = value.properties.get("version");
    if (!version || version.value.kind === "undefined") {
      out.error(option.nameAt, CACHE.code, `${out.option(option.path)} has no version; caching needs one, like cache: { version: "1" }, bumped when cached outputs must be recomputed`);
    }
  },
};

const CPU_FORMS = `a CPU quantity like "500m", "2" or 1.5`;
const MEMORY_FORMS = `a memory quantity like "512Mi", "2Gi" or "1G"`;
const HUGE_DECIMAL_SUFFIXES = new Set(["M", "G", "T", "P", "E"]);

const CPU: Field = {
  code: OPTION_CODES.quantity,
  expected: CPU_FORMS,
  check(value, option, out) {
    const subject = out.option(option.path);
    let text: string;
    if (value.kind === "number") {
      if (!Number.isFinite(value.value)) return out.error(value.at, CPU.code, `${subject} is ${show(value)}; Kubernetes expects ${CPU_FORMS}`);
      text = String(value.value);
    } else if (value.kind === "string") {
      // The API server trims quantities it reads from JSON.
      text = value.value.trim();
    } else {
      return out.wrongKind(CPU, value, option);
    }
    const parsed = parseQuantity(text);
    if (!parsed.ok) {
      return out.error(value.at, CPU.code, `${subject} is ${show(value)}; Kubernetes expects ${CPU_FORMS}${respelled(text)}`);
    }
    const quantity = parsed.quantity;
    if (quantity.negative) return out.error(value.at, CPU.code, `${subject} is ${show(value)}; a CPU quantity cannot be negative`);
    // Kubernetes accepts a zero request; it only leaves the task to whatever CPU is spare.
    if (quantity.nanos === 0n) return out.warning(value.at, CPU.code, `${subject} is ${show(value)}; a task with no CPU runs only on whatever is spare: ask for at least "100m"`);
    if (!isWholeMillis(quantity)) {
      return out.error(value.at, CPU.code, `${subject} is ${show(value)}; Kubernetes does not allow CPU finer than 1m (0.001 CPU): use "${ceilMillis(quantity)}m"`);
    }
    if (quantity.format === "BinarySI" || HUGE_DECIMAL_SUFFIXES.has(quantity.suffix)) {
      const millicores = quantity.suffix === "M" ? `; for thousandths of a CPU write "${numberPart(text)}m"` : "";
      out.warning(value.at, CPU.code, `${subject} is ${show(value)}, which is ${formatMagnitude(quantity)} CPUs, more than any node has${millicores}`);
    }
  },
};

const MEMORY: Field = {
  code: OPTION_CODES.quantity,
  expected: MEMORY_FORMS,
  check(value, option, out) {
    const subject = out.option(option.path);
    if (value.kind === "number") {
      return out.error(value.at, MEMORY.code, `${subject} is the number ${show(value)}; write memory as a quantity string like "512Mi" (a bare number would be bytes)`);
    }
    if (value.kind !== "string") return out.wrongKind(MEMORY, value, option);
    const text = value.value.trim();
    const parsed = parseQuantity(text);
    if (!parsed.ok) {
      return out.error(value.at, MEMORY.code, `${subject} is ${show(value)}; Kubernetes expects ${MEMORY_FORMS}${memoryRespelled(text)}`);
    }
    const quantity = parsed.quantity;
    const milli = quantity.suffix === "m" ? `; "m" means thousandths: for megabytes write "${numberPart(text)}M" or "${numberPart(text)}Mi"` : "";
    if (quantity.negative) return out.error(value.at, MEMORY.code, `${subject} is ${show(value)}; memory cannot be negative`);
    if (quantity.nanos === 0n) return out.warning(value.at, MEMORY.code, `${subject} is ${show(value)}; a task with no memory cannot start: ask for at least "64Mi"`);
    if (quantity.nanos < 1_000_000_000n) {
      return out.error(value.at, MEMORY.code, `${subject} is ${show(value)}, which is ${formatMagnitude(quantity)} bytes; memory must be at least one byte${milli}`);
    }
    if (!isWhole(quantity)) {
      return out.warning(value.at, MEMORY.code, `${subject} is ${show(value)}, which is ${formatMagnitude(quantity)} bytes; Kubernetes warns that a fractional byte value is invalid and rounds it up: use a whole number of bytes${milli}`);
    }
    if (quantity.nanos < MEBIBYTE_NANOS) {
      out.warning(value.at, MEMORY.code, `${subject} is ${show(value)}, which is only ${formatMagnitude(quantity)} bytes, too little to start a task; did you mean "${numberPart(text)}Mi"?`);
    }
  },
};

const MEBIBYTE_NANOS = 2n ** 20n * 1_000_000_000n;

const GPU: Field = {
  code: OPTION_CODES.invalid,
  expected: "a whole number of GPUs, 0 or more",
  check(value, option, out) {
    if (value.kind !== "number") return out.wrongKind(GPU, value, option);
    if (!Number.isInteger(value.value) || value.value < 0) {
      out.error(value.at, GPU.code, `${out.option(option.path)} is ${show(value)}; GPUs are whole devices, so it must be a whole number, 0 or more`);
    }
  },
};

const RESOURCES: Field = {
  code: OPTION_CODES.invalid,
  expected: `an object like { cpu: "1", memory: "2Gi" }`,
  fields: { cpu: CPU, memory: MEMORY, gpu: GPU } satisfies Record<keyof Resources, Field>,
};

/** Image specs come from `Image({ ... })`; a literal one is only checked for its keys. */
const IMAGE_PART: Field = { code: OPTION_CODES.invalid, expected: "part of an image spec" };
const IMAGE: Field = {
  code: OPTION_CODES.invalid,
  expected: "an image made by Image({ base, packages, apt, env })",
  fields: { base: IMAGE_PART, packages: IMAGE_PART, apt: IMAGE_PART, env: IMAGE_PART, name: IMAGE_PART } satisfies Record<keyof ImageSpec, Field>,
};

const REPLICAS_FORMS = "a whole number of warm workers, 1 or more, or [min, max]";

const REPLICAS: Field = {
  code: OPTION_CODES.invalid,
  expected: REPLICAS_FORMS,
  check(value, option, out) {
    const subject = out.option(option.path);
    if (value.kind === "number") {
      if (!Number.isInteger(value.value) || value.value < 1) out.error(value.at, REPLICAS.code, `${subject} is ${show(value)}; it must be ${REPLICAS_FORMS}`);
      return;
    }
    if (value.kind !== "array") return out.wrongKind(REPLICAS, value, option);
    if (!value.complete) return;
    if (value.elements.length !== 2) return out.error(value.at, REPLICAS.code, `${subject} is ${show(value)}; a range of replicas is [min, max]`);
    const [min, max] = value.elements as [StaticValue, StaticValue];
    const bounds = [
      [min, "min", 0],
      [max, "max", 1],
    ] as const;
    let valid = true;
    for (const [bound, name, least] of bounds) {
      if (bound.kind === "unknown") continue;
      if (bound.kind !== "number" || !Number.isInteger(bound.value) || bound.value < least) {
        out.error(bound.at, REPLICAS.code, `${subject} has ${name} ${show(bound)}; ${name} must be a whole number, ${least} or more`);
        valid = false;
      }
    }
    if (valid && min.kind === "number" && max.kind === "number" && min.value > max.value) {
      out.error(value.at, REPLICAS.code, `${subject} is ${show(value)}; min must not be more than max`);
    }
  },
};

const IDLE_TIMEOUT: Field = {
  code: OPTION_CODES.invalid,
  expected: "a number, 0 or more",
  check(value, option, out) {
    if (value.kind !== "number") return out.wrongKind(IDLE_TIMEOUT, value, option);
    if (!(Number.isFinite(value.value) && value.value >= 0)) {
      out.error(value.at, IDLE_TIMEOUT.code, `${out.option(option.path)} is ${show(value)}; it must be a number, 0 or more`);
    }
  },
};

const REUSE: Field = {
  code: OPTION_CODES.invalid,
  expected: "an object like { replicas: 2 }",
  fields: { replicas: REPLICAS, idleTimeout: IDLE_TIMEOUT } satisfies Record<keyof ReuseOptions, Field>,
};

const INTERRUPTIBLE: Field = {
  code: OPTION_CODES.invalid,
  expected: "true or false",
  check(value, option, out) {
    if (value.kind !== "boolean") out.wrongKind(INTERRUPTIBLE, value, option);
  },
};

const TASK_OPTIONS = {
  retries: RETRIES,
  timeout: TIMEOUT,
  cache: CACHE,
  resources: RESOURCES,
  image: IMAGE,
  reuse: REUSE,
  interruptible: INTERRUPTIBLE,
} satisfies Record<keyof TaskOptions, Field>;

const CONCURRENCY: Field = {
  code: OPTION_CODES.invalid,
  expected: "a whole number, 1 or more",
  check(value, option, out) {
    if (value.kind !== "number") return out.wrongKind(CONCURRENCY, value, option);
    if (!Number.isInteger(value.value) || value.value < 1) {
      out.error(value.at, CONCURRENCY.code, `${out.option(option.path)} is ${show(value)}; it is how many items run at once, a whole number, 1 or more (leave it out for no limit)`);
    }
  },
};

const MIN_SUCCESS_RATIO: Field = {
  code: OPTION_CODES.invalid,
  expected: "a number from 0 to 1",
  check(value, option, out) {
    if (value.kind !== "number") return out.wrongKind(MIN_SUCCESS_RATIO, value, option);
    if (!(value.value >= 0 && value.value <= 1)) {
      out.error(value.at, MIN_SUCCESS_RATIO.code, `${out.option(option.path)} is ${show(value)}; it is the fraction of items that must succeed, from 0 to 1`);
    }
  },
};

const MAP_OPTIONS = {
  concurrency: CONCURRENCY,
  minSuccessRatio: MIN_SUCCESS_RATIO,
} satisfies Record<keyof MapOptions, Field>;

// ---- wording ---------------------------------------------------------------

/** A value as a message shows it: `"2 cores"`, `-1`, `[4, 2]`, `an object`. */
function show(value: StaticValue): string {
  switch (value.kind) {
    case "string":
      return JSON.stringify(value.value);
    case "number":
    case "boolean":
      return String(value.value);
    case "null":
    case "undefined":
      return value.kind;
    case "array":
      return value.complete && value.elements.every((e) => e.kind !== "object" && e.kind !== "array" && e.kind !== "unknown")
        ? `[${value.elements.map(show).join(", ")}]`
        : "a list";
    case "object":
      return "an object";
    case "unknown":
      return "a computed value";
  }
}

function list(names: string[]): string {
  return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** The number a quantity starts with: `500` of `500M`. */
function numberPart(text: string): string {
  return /^[+-]?[0-9.]*/.exec(text)![0];
}

/** `; did you mean "2Gi"?` when the quantity only had spaces in it. */
function respelled(text: string): string {
  const squeezed = text.replace(/\s+/g, "");
  return squeezed !== text && parseQuantity(squeezed).ok ? `; did you mean "${squeezed}"?` : "";
}

/** `; did you mean "2G" or "2Gi"?` for the units people write for bytes: 2GB, 512mb, 1GiB, 4 gi. */
function memoryRespelled(text: string): string {
  const match = /^([+-]?[0-9]*\.?[0-9]+|[+-]?[0-9]+\.)\s*([kKmMgGtTpPeE])(i?)[bB]?$/i.exec(text);
  if (!match) return respelled(text);
  const [, number, letter, binary] = match as unknown as [string, string, string, string];
  const upper = letter.toUpperCase();
  const decimal = `${number}${upper === "K" ? "k" : upper}`;
  const binarySI = `${number}${upper}i`;
  if (binary || decimal === text) return `; did you mean "${binarySI}"?`;
  return `; did you mean "${decimal}" or "${binarySI}"?`;
}
