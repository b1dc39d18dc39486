/**
 * Every question to the checker is a round trip to the tsgo process. A file
 * with hundreds of entities asks thousands, so the symbols and types of nodes
 * are fetched in batches (the API takes arrays) and remembered for the rest of
 * one reading. One cache per opened file: its answers belong to one snapshot.
 */
import type { Checker, Node, TsSymbol, Type } from "./ts-api.ts";

export class CheckerCache {
  readonly #symbols = new Map<Node, TsSymbol | undefined>();
  readonly #types = new Map<Node, Type | undefined>();

  constructor(private readonly checker: Checker) {}

  prefetchSymbols(nodes: readonly Node[]): void {
    const missing = [...new Set(nodes.filter((n) => !this.#symbols.has(n)))];
    if (!missing.length) return;
    const symbols = this.checker.getSymbolAtLocation(missing);
    missing.forEach((node, i) => this.#symbols.set(node, symbols[i]));
  }

  symbolAt(node: Node): TsSymbol | undefined {
    this.prefetchSymbols([node]);
    return this.#symbols.get(node);
  }

  prefetchTypes(nodes: readonly Node[]): void {
    const missing = [...new Set(nodes.filter((n) => !this.#types.has(n)))];
    if (!missing.length) return;
    const types = this.checker.getTypeAtLocation(missing);
    missing.forEach((node, i) => this.#types.set(node, types[i]));
  }

  typeAt(node: Node): Type | undefined {
    this.prefetchTypes([node]);
    return this.#types.get(node);
  }
}
