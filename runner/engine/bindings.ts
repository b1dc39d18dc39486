/**
 * Pure helpers over graphs: turning bindings into values, and the synthetic
 * one-node graph that lets a task or dynamic run as an execution of its own.
 */
import { INPUTS_NODE, type Binding, type Graph } from "../../compiler/graph.ts";
import { AloftError } from "../../compiler/errors.ts";
import type { WireValue } from "../data/wire.ts";

/** Looks up the outputs of a node in the same graph, or the graph's inputs. */
export type OutputLookup = (node: string) => WireValue | undefined;

export function resolveBinding(binding: Binding, lookup: OutputLookup, where: string): WireValue {
  if ("literal" in binding) return binding.literal as WireValue;
  if ("list" in binding) return binding.list.map((b) => resolveBinding(b, lookup, where));
  if ("record" in binding) {
    const out: Record<string, WireValue> = {};
    for (const [k, b] of Object.entries(binding.record)) out[k] = resolveBinding(b, lookup, where);
    return out;
  }
  const { node, output } = binding.ref;
  const value = lookup(node);
  if (output === undefined) return value ?? null;
  if (node === INPUTS_NODE) {
    return ((value ?? {}) as Record<string, WireValue>)[output] ?? null;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value) || !(output in value)) {
    throw new AloftError({
      code: "OUTPUT_FIELD_MISSING",
      message: `${where} reads output "${output}" of node "${node}", but that node returned no such field`,
      node,
      field: output,
    });
  }
  return (value as Record<string, WireValue>)[output] ?? null;
}

export function resolveInputs(
  inputs: Record<string, Binding>,
  lookup: OutputLookup,
  where: string,
): Record<string, WireValue> {
  const out: Record<string, WireValue> = {};
  for (const [name, binding] of Object.entries(inputs)) out[name] = resolveBinding(binding, lookup, where);
  return out;
}

/** A task or dynamic run on its own is a graph of one node fed by the inputs. */
export function singleNodeGraph(entity: string, kind: "task" | "dynamic", inputNames: string[]): Graph {
  const inputs: Record<string, Binding> = {};
  for (const name of inputNames) inputs[name] = { ref: { node: INPUTS_NODE, output: name } };
  return { entity, inputs: inputNames, nodes: [{ id: entity, entity, kind, inputs }], output: { ref: { node: entity } } };
}

/** Splits a map's resolved inputs into one input record per item. */
export function mapItems(
  inputs: Record<string, WireValue>,
  fixedNames: readonly string[],
  where: string,
): Record<string, WireValue>[] {
  const listed = Object.keys(inputs).filter((name) => !fixedNames.includes(name));
  let length: number | undefined;
  for (const name of listed) {
    const value = inputs[name];
    if (!Array.isArray(value)) {
      throw new AloftError({
        code: "MAP_INPUT_NOT_LIST",
        message: `${where}: map input "${name}" must be a list (wrap a value shared by all items in fixed(...))`,
        field: name,
      });
    }
    if (length !== undefined && value.length !== length) {
      throw new AloftError({
        code: "MAP_LENGTH_MISMATCH",
        message: `${where}: map inputs have different lengths ("${listed[0]}" has ${length} items, "${name}" has ${value.length})`,
        field: name,
      });
    }
    length = value.length;
  }
  const items: Record<string, WireValue>[] = [];
  for (let i = 0; i < (length ?? 0); i++) {
    const item: Record<string, WireValue> = {};
    for (const name of Object.keys(inputs)) {
      item[name] = fixedNames.includes(name) ? inputs[name]! : (inputs[name] as WireValue[])[i]!;
    }
    items.push(item);
  }
  return items;
}
