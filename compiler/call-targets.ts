/**
 * What a call in a workflow body calls: one of this file's exported entities,
 * a `map(...)` of a task, an SDK function, an entity the file does not export,
 * or anything else. The same question the tracer answers at run time, asked
 * of the source.
 */
import { calleeNameNode, skipOuterExpressions } from "./ast-helpers.ts";
import type { CheckerCache } from "./checker-cache.ts";
import type { EntitySite } from "./interfaces.ts";
import type { EntityKind, SdkDeclarations, SdkFunction } from "./sdk-declarations.ts";
import { is, SymbolFlags, type CallExpression, type Expression, type OpenedFile, type TsSymbol } from "./ts-api.ts";

export type CallTarget =
  /** An entity this file exports: a call records a node named after it. */
  | { kind: "entity"; site: EntitySite }
  /** An entity declared elsewhere that this file does not export: the runner cannot name it. */
  | { kind: "unexported"; entityKind: EntityKind; name: string }
  /** The function `map(task, options)` returns: a call records a map node. */
  | { kind: "map"; task: CallTarget; factory: CallExpression }
  /** `task`, `workflow`, `dynamic`, `map` or `fixed` themselves. */
  | { kind: "sdk"; fn: SdkFunction }
  | { kind: "other" };

export class CallResolver {
  readonly #sitesBySymbol: Map<number, EntitySite>;
  readonly #cache = new Map<Expression, CallTarget>();

  constructor(
    private readonly opened: OpenedFile,
    /** Shared with the other passes: it resolves imports once per file. */
    readonly sdk: SdkDeclarations,
    /** Shared with the other passes over the same file. */
    readonly facts: CheckerCache,
    sites: readonly EntitySite[],
    private readonly entityCall: (expression: Expression) => { kind: EntityKind } | undefined,
  ) {
    this.#sitesBySymbol = new Map(sites.map((site) => [site.symbolId, site]));
  }

  /** What `call` calls. */
  targetOf(call: CallExpression): CallTarget {
    return this.targetOfExpression(call.expression);
  }

  /** What calling `callee` would call. */
  targetOfExpression(callee: Expression): CallTarget {
    const node = skipOuterExpressions(callee);
    let target = this.#cache.get(node);
    if (!target) {
      target = this.#resolve(node);
      this.#cache.set(node, target);
    }
    return target;
  }

  #resolve(node: Expression): CallTarget {
    if (is.isCallExpression(node)) {
      const inner = this.targetOf(node);
      if (inner.kind === "sdk" && inner.fn === "map") {
        const taskArgument = node.arguments[0];
        return { kind: "map", task: taskArgument ? this.targetOfExpression(taskArgument) : { kind: "other" }, factory: node };
      }
      return { kind: "other" };
    }
    if (!is.isIdentifier(node) && !is.isPropertyAccessExpression(node)) return { kind: "other" };
    const symbol = this.facts.symbolAt(calleeNameNode(node));
    return symbol ? this.#targetOfSymbol(symbol) : { kind: "other" };
  }

  #targetOfSymbol(symbol: TsSymbol): CallTarget {
    const fn = this.sdk.sdkFunction(symbol);
    if (fn) return { kind: "sdk", fn };
    const target = this.sdk.resolveAlias(symbol);
    if (!target) return { kind: "other" };
    const site = this.#sitesBySymbol.get(target.id);
    if (site) return { kind: "entity", site };
    // Only a variable is declared by `const x = task(...)`: a method's declaration (in a library) is not fetched.
    if (!(target.flags & SymbolFlags.Variable)) return { kind: "other" };
    const declaration = target.valueDeclaration?.resolve(this.opened.project);
    if (!declaration || !is.isVariableDeclaration(declaration) || !declaration.initializer) return { kind: "other" };
    const entity = this.entityCall(declaration.initializer);
    if (entity) return { kind: "unexported", entityKind: entity.kind, name: target.name };
    // `const scoreAll = map(score, { concurrency: 4 })`, then `scoreAll({ ... })`.
    const initializer = skipOuterExpressions(declaration.initializer);
    if (is.isCallExpression(initializer)) {
      const made = this.targetOfExpression(initializer);
      if (made.kind === "map") return made;
    }
    return { kind: "other" };
  }
}

/** `task "x"`, `map over task "x"`: how messages name what a call calls. */
export function describeTarget(target: CallTarget): string | undefined {
  switch (target.kind) {
    case "entity":
      return `${target.site.entity.kind} "${target.site.entity.name}"`;
    case "unexported":
      return `${target.entityKind} "${target.name}"`;
    case "map": {
      const inner = describeTarget(target.task);
      return inner ? `map over ${inner}` : undefined;
    }
    default:
      return undefined;
  }
}
