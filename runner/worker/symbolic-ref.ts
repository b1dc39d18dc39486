/**
 * The stand-in a workflow body holds for a value that does not exist yet: the
 * output of a call, one named field of it, or a workflow input. It can be
 * passed on or returned; anything that would compute on it throws an error
 * written in workflow terms.
 */
import { INPUTS_NODE } from "../../compiler/graph.ts";
import { REF } from "../../sdk/runtime.ts";
import { AloftError } from "../../compiler/errors.ts";

export interface RefTarget {
  node: string;
  output?: string;
}

/** Who holds the ref: the entity whose body is being traced. */
export interface RefOwner {
  entity: string;
  kind: "workflow" | "dynamic";
  /** Describes a node of the graph being built, e.g. `task "load"`. */
  describeNode(node: string): string;
}

/** The ref behind `value`, when `value` is a symbolic ref (of any SDK copy). */
export function refOf(value: unknown): RefTarget | undefined {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return undefined;
  return (value as { [REF]?: RefTarget })[REF];
}

const PROMISE_METHODS = new Set(["catch", "finally"]);
const CONVERSIONS = new Set(["valueOf", "toString", "toLocaleString", "toJSON"]);

export function symbolicRef(owner: RefOwner, target: RefTarget): unknown {
  const what = () => describeRef(owner, target);
  const fail = (doing: string, advice: string, note = ""): never => {
    throw new AloftError({
      code: "WORKFLOW_NOT_STATIC",
      entity: owner.entity,
      message: `${owner.kind} "${owner.entity}" ${doing} while building its graph${note}; ${advice}`,
    });
  };
  const computes = () => fail(`computes with ${what()}`, computeAdvice(owner), " (arithmetic, string operations or comparisons)");
  const handler: ProxyHandler<object> = {
    get(_, key) {
      if (key === REF) return target;
      if (key === "then") return undefined;
      if (key === Symbol.toPrimitive) return computes();
      if (key === Symbol.iterator || key === Symbol.asyncIterator) {
        return fail(`iterates over ${what()}`, owner.kind === "workflow"
          ? `a workflow cannot loop over values it does not have yet: use map(...) or make "${owner.entity}" a dynamic`
          : "the outputs of the calls a dynamic makes are not known yet: use map(...) or loop inside a task");
      }
      if (typeof key === "symbol") return undefined;
      if (CONVERSIONS.has(key)) return computes();
      if (PROMISE_METHODS.has(key)) {
        return fail(`handles ${what()} as a promise (.${key})`, "failures are handled by the runner (retries); move error handling into a task");
      }
      if (target.output !== undefined || target.node === INPUTS_NODE) {
        return fail(`reads "${key}" of ${what()}`, "only the named outputs of a call can be wired: return that value as a field of its own, or read it inside a task");
      }
      return symbolicRef(owner, { node: target.node, output: key });
    },
    has(_, key) {
      if (key === REF) return true;
      if (typeof key === "symbol") return false;
      return computes();
    },
    set: () => fail(`modifies ${what()}`, "outputs cannot be changed in a workflow body: build the new value inside a task"),
    deleteProperty: () => fail(`modifies ${what()}`, "outputs cannot be changed in a workflow body: build the new value inside a task"),
    defineProperty: () => fail(`modifies ${what()}`, "outputs cannot be changed in a workflow body: build the new value inside a task"),
    ownKeys: () => fail(`lists the fields of ${what()}`, "spread and Object.keys need the value: pass the whole output on, or pick named outputs (`call(...).field`)"),
  };
  return new Proxy(Object.create(null) as object, handler);
}

function describeRef(owner: RefOwner, target: RefTarget): string {
  if (target.node === INPUTS_NODE) return `its input "${target.output}"`;
  const node = owner.describeNode(target.node);
  return target.output === undefined ? `the output of ${node}` : `output "${target.output}" of ${node}`;
}

function computeAdvice(owner: RefOwner): string {
  return owner.kind === "workflow"
    ? `move that logic into a task or make "${owner.entity}" a dynamic`
    : "a dynamic gets real inputs, but the outputs of the calls it makes are not known yet: move that logic into a task";
}
