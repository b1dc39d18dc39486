/**
 * Checks the names of the inputs given for an entity before any is parsed:
 * an unknown name is most likely a typo of a missing one, so it is reported
 * first, with the closest declared name.
 */
import { closestName } from "../../compiler/spelling.ts";
import { formatType, type EntityInterface, type FieldSpec, type TypeSpec } from "../../compiler/type-spec.ts";
import { AloftError } from "../../compiler/errors.ts";

export function checkInputNames(entity: EntityInterface, given: Record<string, unknown>): void {
  const declared = Object.keys(entity.inputs);
  const who = `${entity.kind} "${entity.name}"`;
  const unknown = Object.keys(given).filter((name) => !Object.hasOwn(entity.inputs, name));
  if (unknown.length) {
    const first = unknown[0]!;
    const close = closestName(first, declared.filter((d) => !Object.hasOwn(given, d)));
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
