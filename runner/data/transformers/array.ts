/** Arrays travel item by item; a hole or an `undefined` item becomes null. */
import { itemOf } from "../field-path.ts";
import type { DataTransformer } from "../transformer.ts";
import type { WireValue } from "../wire.ts";
import { mismatch } from "../wire-describe.ts";

export const arrayTransformer: DataTransformer = {
  name: "array",
  kinds: ["array"],

  acceptsValue: Array.isArray,

  async encode(value, field, scope) {
    const items = value as unknown[];
    const out: WireValue[] = [];
    // One at a time: the engine's cycle check follows a single path through the value.
    for (let i = 0; i < items.length; i++) out.push(await scope.encode(items[i], itemOf(field, i)));
    return out;
  },

  acceptsWire: Array.isArray,

  decode(wire, field, scope) {
    return Promise.all((wire as WireValue[]).map((item, i) => scope.decode(item, itemOf(field, i))));
  },

  validate(wire, spec, field, scope) {
    if (!Array.isArray(wire) || spec.kind !== "array") return [mismatch(field, spec, wire)];
    return wire.flatMap((item, i) => scope.validate(item, spec.items, itemOf(field, i)));
  },
};
