/**
 * Checks the names of the inputs given for an entity before any is parsed:
 * an unknown name is most likely a typo of a missing one, so it is reported
 * first, with the closest declared name.
 */
import { formatType, type EntityInterface, type FieldSpec, type TypeSpec } from "../../compiler/type-spec.ts";
import { AloftError } from "../../compiler/errors.ts";

export function checkInputNames(entity: EntityInterface, given: Record<string, unknown>): void {
  const declared = Object.keys(entity.inputs);
  const who = `${entity.kind} "${entity.name}"`;
  const unknown = Object.keys(given).filter((name) => !Object.hasOwn(entity.inputs, name));
  if (unknown.length) {
    const first = unknown[0]!;
    const close = closest(first, declared.filter((d) => !Object.hasOwn(given, d)));
    const hint = close ? ` (did you mean --${close}?)` : "";
    const names = unknown.map((n) => `"${n}"`).join(", ");
    const has = declared.length ? `its inputs are ${listInputs(entity, declared)}` : "it takes no inputs";
    throw new AloftError({
      code: "INPUT_UNKNOWN",
      entity: entity.name,
      field: first,
      message: `${who} has no input${unknown.length > 1 ? "s" : ""} ${names}${hint}; ${has}`,
    });
  }
  const missing = declared.filter((name) => !Object.hasOwn(given, name) && isRequired(entity.inputs[name]!));
  if (missing.length) {
    throw new AloftError({
      code: "INPUT_MISSING",
      entity: entity.name,
      field: missing.join(", "),
      message: `${who} needs input${missing.length > 1 ? "s" : ""} ${listInputs(entity, missing)}`,
    });
  }
}

/** `--epochs (number), --data (File)`. */
function listInputs(entity: EntityInterface, names: string[]): string {
  return names.map((name) => `--${name} (${formatType(entity.inputs[name]!.type)})`).join(", ");
}

/** `x?: T` and `x: T | undefined` may be left out; everything else is needed. */
function isRequired(field: FieldSpec): boolean {
  return !field.optional && !acceptsUndefined(field.type);
}

function acceptsUndefined(spec: TypeSpec): boolean {
  return spec.kind === "undefined" || (spec.kind === "union" && spec.options.some(acceptsUndefined));
}

function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
