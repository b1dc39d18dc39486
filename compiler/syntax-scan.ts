/**
 * Finding nodes of a syntax tree by kind and position without visiting the
 * tree. The API's source file is an encoded tree (a table of fixed-size
 * records, one per node, in source order) whose nodes become objects when
 * visited, and a walk visits them all. These functions read kinds and
 * positions off the table and make objects of the picked nodes only (and
 * their parents). A tree that is not encoded so is walked.
 *
 * Part of the TypeScript 7 API's boundary (see ts-api.ts): it relies on how
 * the API encodes trees, checked as it reads.
 */
import { SyntaxKind } from "typescript/unstable/ast";
import type { Node, SourceFile } from "typescript/unstable/ast";

/** What a node must be to be picked: its kind, and the positions of its full text. */
export type NodeTest = (kind: SyntaxKind, pos: number, end: number) => boolean;

/** The parts of the API's source file behind the encoding. */
interface EncodedTree {
  view: DataView;
  _offsetNodes: number;
  nodes: unknown[];
  getOrCreateNodeAtIndex(index: number): Node;
}

/** A record: kind, pos, end, next sibling, parent, data, flags; 4 bytes each. */
const RECORD_WORDS = 7;
const KIND = 0;
const POS = 1;
const END = 2;
const NEXT = 3;
const PARENT = 4;
/** Slot 0 is nil, slot 1 the source file. */
const FIRST_NODE = 2;

interface NodeTable {
  tree: EncodedTree;
  /** The records as 32-bit words. A list's slot has kind -1: it is no node. */
  words: Int32Array;
  count: number;
}

const tables = new WeakMap<object, NodeTable | null>();
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function tableOf(sourceFile: SourceFile): NodeTable | undefined {
  const known = tables.get(sourceFile);
  if (known !== undefined) return known ?? undefined;
  const tree = sourceFile as unknown as Partial<EncodedTree>;
  const { view, _offsetNodes: offset, nodes } = tree;
  let table: NodeTable | null = null;
  if (view instanceof DataView && typeof offset === "number" && Array.isArray(nodes) && typeof tree.getOrCreateNodeAtIndex === "function") {
    const count = nodes.length;
    if ((view.byteLength - offset) / (RECORD_WORDS * 4) === count) {
      const start = view.byteOffset + offset;
      const length = count * RECORD_WORDS;
      // Indexing a typed array is several times cheaper than DataView calls. The records are
      // little-endian, and rarely 4-byte aligned in their buffer: copied then (a memcpy).
      const words = !littleEndian
        ? Int32Array.from({ length }, (_, i) => view.getInt32(offset + i * 4, true))
        : start % 4 === 0
          ? new Int32Array(view.buffer, start, length)
          : new Int32Array(view.buffer.slice(start, start + length * 4));
      table = { tree: tree as EncodedTree, words, count };
    }
  }
  tables.set(sourceFile, table);
  return table ?? undefined;
}

/** The nodes of `sourceFile` that `wanted` picks, in source order. */
export function nodesWhere(sourceFile: SourceFile, wanted: NodeTest): Node[] {
  const table = tableOf(sourceFile);
  if (!table) return walked(sourceFile, wanted);
  return scan(table, FIRST_NODE, table.count, wanted);
}

/** The nodes under `node` (not `node` itself) that `wanted` picks, in source order. */
export function descendantsWhere(node: Node, wanted: NodeTest): Node[] {
  const table = tableOf(node.getSourceFile());
  const index = (node as Node & { index?: unknown }).index;
  if (!table || typeof index !== "number" || table.tree.nodes[index] !== node) return walked(node, wanted);
  return scan(table, index + 1, subtreeEnd(table, index), wanted);
}

function scan(table: NodeTable, from: number, to: number, wanted: NodeTest): Node[] {
  const { words, tree } = table;
  const found: Node[] = [];
  for (let i = from; i < to; i++) {
    const at = i * RECORD_WORDS;
    const kind = words[at + KIND]!;
    // A JSDoc comment's nodes are no code: the API's walk (forEachChild) leaves them out too.
    if (kind === SyntaxKind.JSDoc) i = subtreeEnd(table, i) - 1;
    else if (kind >= 0 && wanted(kind, words[at + POS]!, words[at + END]!)) found.push(tree.getOrCreateNodeAtIndex(i));
  }
  return found;
}

/** The first slot after the subtree of slot `index`: the next sibling of it or of its nearest ancestor that has one. */
function subtreeEnd(table: NodeTable, index: number): number {
  const { words, count } = table;
  for (let at = index; at >= FIRST_NODE; ) {
    const next = words[at * RECORD_WORDS + NEXT]!;
    if (next > 0) return next;
    const parent = words[at * RECORD_WORDS + PARENT]!;
    if (parent >= at) break;
    at = parent;
  }
  return count;
}

function walked(root: Node, wanted: NodeTest): Node[] {
  const found: Node[] = [];
  const visit = (node: Node): void => {
    if (wanted(node.kind, node.pos, node.end)) found.push(node);
    node.forEachChild(visit);
  };
  root.forEachChild(visit);
  return found;
}
