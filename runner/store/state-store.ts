import type { Graph, NodeKind } from "../../compiler/graph.ts";
import type { EntityInterface } from "../../compiler/type-spec.ts";
import type { ErrorInfo } from "../../compiler/errors.ts";
import type { WireValue } from "../data/wire.ts";

export type ExecutionStatus = "running" | "succeeded" | "failed" | "cancelled";

export type NodeStatus =
  | "pending"
  /** Handed to a worker (an attempt is open). */
  | "running"
  | "succeeded"
  | "failed"
  /** Never ran because the execution failed or was cancelled first. */
  | "skipped";

export interface ExecutionRecord {
  id: string;
  /** Absolute path of the workflow file, and the entity run from it. */
  file: string;
  entity: string;
  kind: "task" | "workflow" | "dynamic";
  /** Content hash of the code bundle; the bundle itself sits in the bundle cache. */
  bundleHash: string;
  bundlePath: string;
  /** Interfaces of every entity in the bundle, for validation and cache keys. */
  interfaces: Record<string, EntityInterface>;
  status: ExecutionStatus;
  inputs: Record<string, WireValue>;
  outputs?: WireValue;
  error?: ErrorInfo;
  createdAt: number;
  endedAt?: number;
}

export interface NodeRecord {
  executionId: string;
  /** Path-like id unique in the execution: `train`, `trainIterative/trainModel-2`, `squares[41]`. */
  id: string;
  parentId: string | null;
  entity: string;
  kind: NodeKind | "item";
  status: NodeStatus;
  /** Resolved input values, once known (recorded before the first attempt). */
  inputs?: Record<string, WireValue>;
  outputs?: WireValue;
  error?: ErrorInfo;
  /** Sub-graph of a workflow or dynamic node, once built. */
  graph?: Graph;
  cacheKey?: string;
  /** True when the outputs came from the cache and nothing ran. */
  cached: boolean;
  attempts: number;
  startedAt?: number;
  endedAt?: number;
}

export interface AttemptRecord {
  executionId: string;
  nodeId: string;
  /** 1-based. */
  attempt: number;
  status: "running" | "succeeded" | "failed";
  workerPid?: number;
  /** Log file of this attempt's stdout and stderr. */
  logPath: string;
  error?: ErrorInfo;
  startedAt: number;
  endedAt?: number;
}

export interface CacheEntry {
  key: string;
  entity: string;
  outputs: WireValue;
  executionId: string;
  nodeId: string;
  createdAt: number;
}

/** What a runner-service token may do: everything (admin), or one project's work (later). */
export type TokenScope = { kind: "admin" } | { kind: "project"; project: string };

export interface TokenRecord {
  id: string;
  /** Hex SHA-256 of the token; the token itself is never stored. */
  hash: string;
  scope: TokenScope;
  /** Who or what the token is for, as shown when tokens are listed. */
  description: string;
  createdAt: number;
  revokedAt?: number;
}

export type NodePatch = Partial<Omit<NodeRecord, "executionId" | "id" | "parentId" | "entity" | "kind">>;

/**
 * Durable state of executions. Every write is committed before the call
 * returns, so a runner killed at any point loses nothing it had recorded.
 * Implementations: SQLite (local, embedded); PostgreSQL later, same contract.
 */
export interface StateStore {
  createExecution(record: ExecutionRecord): void;
  updateExecution(id: string, patch: Partial<Pick<ExecutionRecord, "status" | "outputs" | "error" | "endedAt">>): void;
  getExecution(id: string): ExecutionRecord | undefined;
  /** Newest first. */
  listExecutions(options?: { limit?: number; status?: ExecutionStatus }): ExecutionRecord[];

  insertNodes(nodes: NodeRecord[]): void;
  updateNode(executionId: string, nodeId: string, patch: NodePatch): void;
  getNode(executionId: string, nodeId: string): NodeRecord | undefined;
  /** All nodes of an execution, in insertion order. */
  listNodes(executionId: string): NodeRecord[];

  startAttempt(record: AttemptRecord): void;
  finishAttempt(executionId: string, nodeId: string, attempt: number, patch: Pick<AttemptRecord, "status" | "endedAt"> & { error?: ErrorInfo }): void;
  listAttempts(executionId: string, nodeId?: string): AttemptRecord[];

  getCached(key: string): CacheEntry | undefined;
  putCached(entry: CacheEntry): void;

  insertToken(record: TokenRecord): void;
  /** Tokens not revoked, oldest first. */
  listTokens(): TokenRecord[];

  /** Runs `fn` in one transaction: all its writes land together or not at all. */
  transaction<T>(fn: () => T): T;
  close(): void;
}
