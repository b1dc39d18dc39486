/**
 * Every question to the checker is a round trip to the tsgo process. A file
 * with hundreds of entities asks thousands, so the symbols and types of nodes
 * are fetched in batches (the API takes arrays) and remembered for the rest of
 * one reading. One cache per project of a reading (see project-facts.ts): its
 * answers belong to one snapshot and one checker.
 */
import type { Checker, Node, TsSymbol, Type } from "./ts-api.ts";

/** Answers per node, asked for many nodes in one request. */
class BatchedLookup<T> {
  readonly #known = new Map<Node, T | undefined>();

  constructor(private readonly ask: (nodes: readonly Node[]) => readonly (T | undefined)[]) {}

  /** The nodes `prefetch(nodes)` would ask about, in the order it would. */
  missing(nodes: readonly Node[]): Node[] {
    return [...new Set(nodes.filter((n) => !this.#known.has(n)))];
  }

  prefetch(nodes: readonly Node[]): void {
    const missing = this.missing(nodes);
    if (!missing.length) return;
    const answers = this.ask(missing);
    missing.forEach((node, i) => this.#known.set(node, answers[i]));
  }

  at(node: Node): T | undefined {
    if (!this.#known.has(node)) this.prefetch([node]);
    return this.#known.get(node);
  }
}

export class CheckerCache {
  readonly #symbols: BatchedLookup<TsSymbol>;
  readonly #types: BatchedLookup<Type>;

  constructor(checker: Checker) {
    this.#symbols = new BatchedLookup((nodes) => checker.getSymbolAtLocation(nodes));
    this.#types = new BatchedLookup((nodes) => checker.getTypeAtLocation(nodes));
  }

  /** The nodes `prefetchSymbols(nodes)` would ask about, in the order it would. */
  missingSymbols(nodes: readonly Node[]): Node[] {
    return this.#symbols.missing(nodes);
  }

  prefetchSymbols(nodes: readonly Node[]): void {
    this.#symbols.prefetch(nodes);
  }

  symbolAt(node: Node): TsSymbol | undefined {
    return this.#symbols.at(node);
  }

  prefetchTypes(nodes: readonly Node[]): void {
    this.#types.prefetch(nodes);
  }

  typeAt(node: Node): Type | undefined {
    return this.#types.at(node);
  }
}
