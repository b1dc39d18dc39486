/**
 * Finding nodes of a syntax tree by kind without visiting the tree. The API's
 * source file is an encoded tree (a table of fixed-size records, one per
 * node, in source order) whose nodes become objects when visited, and a walk
 * visits them all. This reads kinds off the table and makes objects of the
 * picked nodes only (and their parents). A tree that is not encoded so is
 * walked.
 *
 * Part of the TypeScript 7 API's boundary (see ts-api.ts): it relies on how
 * the API encodes trees, checked as it reads.
 */
import { SyntaxKind } from "typescript/unstable/ast";
import type { Node, SourceFile } from "typescript/unstable/ast";

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
const NEXT = 3;
const PARENT = 4;
const DATA = 5;
/** A list's slot: its data is its length. */
const LIST = -1;
/** A node's data holds, when its top two bits are clear, which of its kind's children it has (one bit each, in order). */
const DATA_TYPE = 0xc0000000;
const CHILD_MASK = 0xff;
/** A call's children in order: expression, questionDotToken, typeArguments, arguments. */
const CALL_ARGUMENTS_BIT = 3;
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

/**
 * The nodes under `root` (not `root` itself) of the given kinds, in source
 * order; under a source file, all of the file's nodes of those kinds.
 */
export function nodesOfKind(root: Node, ...kinds: SyntaxKind[]): Node[] {
  return picked(root, kinds, () => true, () => true);
}

/**
 * The calls under `root` (as `nodesOfKind`) that pass at least `count`
 * arguments. The count is read off the table (a call's arguments are its
 * last child, a list whose length is its data), so calls with fewer never
 * become objects: most calls in a task's code pass one argument or none.
 */
export function callsWithArguments(root: Node, count: number): Node[] {
  return picked(
    root,
    [SyntaxKind.CallExpression],
    (call) => (call as Node & { arguments: readonly Node[] }).arguments.length >= count,
    (words, slot) => {
      const passed = argumentCount(words, slot);
      return passed === undefined ? undefined : passed >= count;
    },
  );
}

/**
 * The nodes under `root` of the given kinds that pass: `recordTest` decides
 * off a slot's record where it can (undefined: it cannot), `nodeTest` off
 * the node otherwise, and off every node of a tree that is walked.
 */
function picked(
  root: Node,
  kinds: readonly SyntaxKind[],
  nodeTest: (node: Node) => boolean,
  recordTest: (words: Int32Array, slot: number) => boolean | undefined,
): Node[] {
  const wanted = kindSet(kinds);
  const table = tableOf(root.getSourceFile());
  const index = (root as Node & { index?: unknown }).index;
  if (!table || typeof index !== "number" || table.tree.nodes[index] !== root) return walked(root, wanted).filter(nodeTest);
  const { words, tree } = table;
  const found: Node[] = [];
  for (let i = index + 1, end = subtreeEnd(table, index); i < end; i++) {
    const kind = words[i * RECORD_WORDS + KIND]!;
    // A JSDoc comment's nodes are no code: the API's walk (forEachChild) leaves them out too.
    if (kind === SyntaxKind.JSDoc) i = subtreeEnd(table, i) - 1;
    else if (kind >= 0 && wanted[kind] === 1 && (recordTest(words, i) ?? nodeTest(tree.getOrCreateNodeAtIndex(i)))) found.push(tree.getOrCreateNodeAtIndex(i));
  }
  return found;
}

/** How many arguments the call in slot `call` passes; undefined when its record is not laid out as expected. */
function argumentCount(words: Int32Array, call: number): number | undefined {
  const data = words[call * RECORD_WORDS + DATA]!;
  if ((data & DATA_TYPE) !== 0) return undefined;
  const mask = data & CHILD_MASK;
  if (!(mask & (1 << CALL_ARGUMENTS_BIT))) return 0;
  // The children before the arguments: one slot each for those present.
  let slot = call + 1;
  for (let before = mask & ((1 << CALL_ARGUMENTS_BIT) - 1); before; before &= before - 1) slot = words[slot * RECORD_WORDS + NEXT]!;
  if (slot <= call || words[slot * RECORD_WORDS + PARENT] !== call || words[slot * RECORD_WORDS + KIND] !== LIST) return undefined;
  return words[slot * RECORD_WORDS + DATA];
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

function kindSet(kinds: readonly SyntaxKind[]): Uint8Array {
  const wanted = new Uint8Array(Math.max(...kinds) + 1);
  for (const kind of kinds) wanted[kind] = 1;
  return wanted;
}

function walked(root: Node, wanted: Uint8Array): Node[] {
  const found: Node[] = [];
  const visit = (node: Node): void => {
    if (wanted[node.kind] === 1) found.push(node);
    node.forEachChild(visit);
  };
  root.forEachChild(visit);
  return found;
}
