/**
 * Builds a graph by running a workflow body: while it runs, every task,
 * workflow, dynamic or map call records a node and hands back a symbolic ref
 * (see symbolic-ref.ts) instead of running anything.
 */
import { INPUTS_NODE, type Binding, type Graph, type GraphNode, type NodeKind } from "../../compiler/graph.ts";
import type { EntityDefinition } from "../../sdk/entity.ts";
import { FIXED, runtime, type MapCall, type Tracer } from "../../sdk/runtime.ts";
import { fieldOf, itemOf } from "../data/field-path.ts";
import type { WireValue } from "../data/wire.ts";
import { AloftError } from "../../compiler/errors.ts";
import type { Codec } from "./codec.ts";
import { refOf, symbolicRef, type RefOwner } from "./symbolic-ref.ts";

/**
 * What the body receives. A workflow is traced with symbolic inputs (their
 * names, or `undefined` to learn them from what the body reads); a dynamic is
 * expanded with real, decoded values.
 */
export type TraceInputs = { symbolic: readonly string[] | undefined } | { real: Record<string, unknown> };

export async function traceGraph(definition: EntityDefinition, inputs: TraceInputs, codec: Codec): Promise<Graph> {
  const kind = definition.kind;
  if (kind === "task") throw new Error(`traceGraph: "${definition.name}" is a task, not a workflow`);
  const builder = new GraphBuilder(definition.name ?? "(unnamed)", kind);
  const body = "real" in inputs ? builder.realInputs(inputs.real) : builder.symbolicInputs(inputs.symbolic);
  const previous = runtime.tracer;
  runtime.tracer = builder;
  let result: unknown;
  try {
    result = definition.fn(body as never);
    if (isThenable(result)) {
      if (kind === "workflow") {
        Promise.resolve(result).catch(() => {}); // its rejection is moot: the trace fails here
        throw new AloftError({
          code: "WORKFLOW_ASYNC",
          entity: builder.entity,
          message: `workflow "${builder.entity}" is async (its body returns a promise); a workflow body only wires calls together and runs once to build the graph: drop \`async\`/\`await\`, or declare it with \`dynamic\` to run code on real values`,
        });
      }
      // A dynamic may await between calls, so the tracer stays set until it settles.
      result = await result;
    }
  } finally {
    runtime.tracer = previous;
  }
  const output = builder.bind(result, "output");
  return builder.finish(output, codec);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  return refOf(value) === undefined && typeof (value as { then?: unknown }).then === "function";
}

interface PendingLiteral {
  binding: { literal: unknown };
  value: unknown;
  field: string;
}

class GraphBuilder implements Tracer, RefOwner {
  private readonly nodes: GraphNode[] = [];
  private readonly calls = new Map<string, number>();
  private readonly literals: PendingLiteral[] = [];
  private inputNames: string[] = [];

  constructor(
    readonly entity: string,
    readonly kind: "workflow" | "dynamic",
  ) {}

  describeNode(id: string): string {
    const node = this.nodes.find((n) => n.id === id);
    if (!node) return `node "${id}"`;
    const label = node.kind === "map" ? `map over task "${node.entity}"` : `${node.kind} "${node.entity}"`;
    return node.id === node.entity ? label : `${label} (node "${node.id}")`;
  }

  realInputs(values: Record<string, unknown>): Record<string, unknown> {
    this.inputNames = Object.keys(values);
    return values;
  }

  symbolicInputs(names: readonly string[] | undefined): Record<string, unknown> {
    if (names) {
      this.inputNames = [...names];
      return Object.fromEntries(names.map((name) => [name, symbolicRef(this, { node: INPUTS_NODE, output: name })]));
    }
    // Names unknown: learn them from what the body reads (destructuring reads them all).
    const seen = new Map<string, unknown>();
    this.inputNames = [];
    return new Proxy({}, {
      get: (_, key) => {
        if (typeof key === "symbol" || key === "then") return undefined;
        if (!seen.has(key)) {
          seen.set(key, symbolicRef(this, { node: INPUTS_NODE, output: key }));
          this.inputNames.push(key);
        }
        return seen.get(key);
      },
      ownKeys: () => {
        throw new AloftError({
          code: "WORKFLOW_NOT_STATIC",
          entity: this.entity,
          message: `workflow "${this.entity}" lists its inputs (a spread, Object.keys or passing the inputs object on whole) while building its graph, before the runner knows their names; destructure them instead: workflow(({ a, b }) => ...)`,
        });
      },
    });
  }

  call(definition: EntityDefinition, inputs: unknown, map?: MapCall): unknown {
    const name = definition.name;
    if (!name) {
      throw new AloftError({
        code: "ENTITY_NOT_EXPORTED",
        entity: this.entity,
        message: `${this.kind} "${this.entity}" calls a ${definition.kind} that is not exported; the runner finds entities by their export name: declare it as an exported top-level const (\`export const myTask = ${definition.kind}(...)\`)`,
      });
    }
    const count = (this.calls.get(name) ?? 0) + 1;
    this.calls.set(name, count);
    const id = count === 1 ? name : `${name}-${count}`;
    const kind: NodeKind = map ? "map" : definition.kind;
    const where = `${kind === "map" ? "map over task" : definition.kind} "${name}"`;
    if (inputs === undefined) inputs = {};
    if (!isPlainRecord(inputs)) {
      throw new AloftError({
        code: "INPUT_INVALID",
        entity: this.entity,
        message: `${this.kind} "${this.entity}" calls ${where} with ${describeValue(inputs)}; pass one object of named inputs: ${name}({ ... })`,
      });
    }
    const bindings: Record<string, Binding> = {};
    const fixed: string[] = [];
    for (const [input, value] of Object.entries(inputs)) {
      const label = `input "${input}" of call "${id}"`;
      if (isFixed(value)) {
        if (!map) {
          throw new AloftError({
            code: "INPUT_INVALID",
            entity: this.entity,
            field: input,
            message: `${this.kind} "${this.entity}" passes fixed(...) to input "${input}" of ${where}; fixed() only applies to the inputs of a map(...) call`,
          });
        }
        fixed.push(input);
        bindings[input] = this.bind(value.value, label);
      } else {
        bindings[input] = this.bind(value, label);
      }
    }
    const node: GraphNode = { id, entity: name, kind, inputs: bindings };
    if (map) {
      node.map = { fixed };
      if (map.concurrency !== undefined) node.map.concurrency = map.concurrency;
      if (map.minSuccessRatio !== undefined) node.map.minSuccessRatio = map.minSuccessRatio;
    }
    this.nodes.push(node);
    return symbolicRef(this, { node: id });
  }

  /** A value passed to a call (or returned) as a binding; constants are encoded in `finish`. */
  bind(value: unknown, field: string): Binding {
    const ref = refOf(value);
    if (ref) return { ref: ref.output === undefined ? { node: ref.node } : { node: ref.node, output: ref.output } };
    if (Array.isArray(value) && value.some(containsRef)) {
      return { list: value.map((item, i) => this.bind(item, itemOf(field, i))) };
    }
    if (isPlainRecord(value) && Object.values(value).some(containsRef)) {
      const record: Record<string, Binding> = {};
      for (const [k, v] of Object.entries(value)) record[k] = this.bind(v, fieldOf(field, k));
      return { record };
    }
    if (isThenable(value)) {
      throw new AloftError({
        code: "WORKFLOW_NOT_STATIC",
        entity: this.entity,
        field,
        message: `${this.kind} "${this.entity}" passes a promise that is not the output of a call (at ${field}); a ${this.kind} body cannot wait for other work: move it into a task`,
      });
    }
    const binding = { literal: null as unknown };
    this.literals.push({ binding, value: value === undefined ? null : value, field });
    return binding;
  }

  async finish(output: Binding, codec: Codec): Promise<Graph> {
    const encoded: WireValue[] = await Promise.all(
      this.literals.map((l) => codec.encode(l.value, { entity: this.entity, kind: this.kind, root: l.field })),
    );
    this.literals.forEach((l, i) => (l.binding.literal = encoded[i]));
    return { entity: this.entity, inputs: this.inputNames, nodes: this.nodes, output };
  }
}

function containsRef(value: unknown): boolean {
  if (refOf(value)) return true;
  if (Array.isArray(value)) return value.some(containsRef);
  if (isPlainRecord(value)) return Object.values(value).some(containsRef);
  return false;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value) || refOf(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isFixed(value: unknown): value is { value: unknown } {
  return isPlainRecord(value) && (value as { [FIXED]?: unknown })[FIXED] === true;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "a non-plain object" : `a ${typeof value}`;
}
