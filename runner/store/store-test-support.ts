/** Records and assertions shared by the state store's tests. */
import assert from "node:assert/strict";
import { AloftError } from "../../compiler/errors.ts";
import type { AttemptRecord, ExecutionRecord, NodeRecord } from "./state-store.ts";

export function execution(id: string, overrides: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    id,
    project: "default",
    domain: "development",
    file: "/work/flows/train.ts",
    entity: "train",
    kind: "workflow",
    bundleHash: "sha256:abc",
    bundlePath: "/work/.aloft/bundles/abc.mjs",
    interfaces: { train: { inputs: { rows: { kind: "number" } }, outputs: { kind: "string" } } } as unknown as ExecutionRecord["interfaces"],
    status: "running",
    inputs: { rows: 3, when: { $date: "2024-01-02T00:00:00.000Z" } },
    createdAt: 1_000,
    ...overrides,
  };
}

export function node(executionId: string, id: string, overrides: Partial<NodeRecord> = {}): NodeRecord {
  return { executionId, id, parentId: null, entity: id, kind: "task", status: "pending", cached: false, attempts: 0, ...overrides };
}

export function attempt(executionId: string, nodeId: string, n: number, overrides: Partial<AttemptRecord> = {}): AttemptRecord {
  return { executionId, nodeId, attempt: n, status: "running", logPath: `/logs/${nodeId}-${n}.log`, startedAt: 100 + n, ...overrides };
}

/** Asserts that `fn` fails with an AloftError with `code` whose message matches every pattern. */
export async function assertStoreError(fn: () => unknown, code: string, ...patterns: Array<RegExp | string>): Promise<AloftError> {
  let thrown: unknown;
  try {
    await fn();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof AloftError, `expected an AloftError ${code}, got ${thrown === undefined ? "no error" : String(thrown)}`);
  assert.equal(thrown.info.code, code, thrown.message);
  for (const pattern of patterns) {
    if (typeof pattern === "string") assert.ok(thrown.message.includes(pattern), `"${thrown.message}" should name ${pattern}`);
    else assert.match(thrown.message, pattern);
  }
  return thrown;
}
