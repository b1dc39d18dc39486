/** A `Date` travels as `{ $date: ISO 8601 }`, always in UTC with milliseconds. */
import { AloftError } from "../../../compiler/errors.ts";
import type { DataTransformer } from "../transformer.ts";
import { isWireDate, type WireDate } from "../wire.ts";
import { mismatch } from "../wire-describe.ts";

export const dateTransformer: DataTransformer = {
  name: "date",
  kinds: ["date"],

  acceptsValue(value) {
    // An invalid Date has no ISO form; it is reported as not data.
    return value instanceof Date && !Number.isNaN(value.getTime());
  },

  async encode(value) {
    return { $date: (value as Date).toISOString() };
  },

  acceptsWire: isWireDate,

  async decode(wire, field, scope) {
    const text = (wire as WireDate).$date;
    const date = new Date(text);
    if (typeof text !== "string" || Number.isNaN(date.getTime())) {
      throw new AloftError({
        code: "DATA_INVALID",
        entity: scope.context.entity,
        field,
        message: `${field} holds ${JSON.stringify(text)}, which is not an ISO date`,
      });
    }
    return date;
  },

  validate(wire, spec, field) {
    if (!isWireDate(wire)) return [mismatch(field, spec, wire)];
    return isIsoDate(wire.$date) ? [] : [`${field}: a Date reference holds ${JSON.stringify(wire.$date)}, which is not an ISO date`];
  },
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function isIsoDate(text: unknown): text is string {
  return typeof text === "string" && ISO_DATE.test(text) && !Number.isNaN(Date.parse(text));
}
