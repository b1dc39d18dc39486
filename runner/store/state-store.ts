import type { Graph, NodeKind } from "../../compiler/graph.ts";
import type { EntityInterface } from "../../compiler/type-spec.ts";
import type { ErrorInfo } from "../../compiler/errors.ts";
import type { WireValue } from "../data/wire.ts";
import type { AttemptRef, JobResult } from "../worker/protocol.ts";

export type ExecutionStatus = "running" | "succeeded" | "failed" | "cancelled";

export type NodeStatus =
  | "pending"
  /** Handed to a worker (an attempt is open). */
  | "running"
  | "succeeded"
  | "failed"
  /** Never ran because the execution failed or was cancelled first. */
  | "skipped";

/** The project an execution belongs to when nobody names one. */
export const DEFAULT_PROJECT = "default";

/** The domain (Flyte's development, staging, production) an execution runs in when nobody names one. */
export const DEFAULT_DOMAIN = "development";

export interface ExecutionRecord {
  id: string;
  /** Whose execution this is: runner-service tokens of a project see only its executions. */
  project: string;
  /** Which stage of the project's work it is (`development`, `production`...): with the project, what scopes listings. */
  domain: string;
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
  /** Digest of the blob describing a submitted bundle (its entities and traced graphs); runner-service executions only. */
  descriptor?: string;
  /** Digest of the submitted bundle's source map, when it came with one. */
  sourceMap?: string;
  /** When someone asked to cancel the execution while another replica drove it. */
  cancelRequestedAt?: number;
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

/** What a runner-service token may do: everything (admin), or one project's work. */
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

/** Which runner replica drives an execution, until when, and how many times it changed hands. */
export interface ExecutionLease {
  replicaId: string;
  expiresAt: number;
  /** Bumped by every claim that takes the execution from another replica (or from nobody). */
  epoch: number;
}

/** Given to `startAttempt`: the attempt starts only while the execution is leased to this replica. */
export interface AttemptFence {
  replicaId: string;
}

export type ExecutionPatch = Partial<Pick<ExecutionRecord, "status" | "outputs" | "error" | "endedAt">>;

/** How an execution ended; `finishExecution` writes it. */
export interface ExecutionEnd {
  status: Exclude<ExecutionStatus, "running">;
  outputs?: WireValue;
  error?: ErrorInfo;
  endedAt: number;
}

export type NodePatch = Partial<Omit<NodeRecord, "executionId" | "id" | "parentId" | "entity" | "kind">>;

/** How an attempt ended; `finishAttempt` writes it. */
export interface AttemptEnd {
  status: "succeeded" | "failed";
  endedAt: number;
  error?: ErrorInfo;
}

/** What changes together with an attempt's end: its node, the node's new children, the cache. */
export interface AttemptOutcome {
  node?: NodePatch;
  /** Nodes of the sub-graph a dynamic attempt built. */
  children?: NodeRecord[];
  cache?: CacheEntry;
}

export interface ListExecutionsOptions {
  limit?: number;
  status?: ExecutionStatus;
  project?: string;
  domain?: string;
}

/**
 * Durable state of executions. Every write is committed before its promise
 * resolves, so a runner killed at any point loses nothing it had recorded;
 * a call that writes several records writes all of them or none.
 * Implementations: SQLite (local, embedded) and PostgreSQL (shared by runner
 * replicas); `state-store-contract.ts` holds both to the same tests.
 * Failures are AloftErrors naming the database (`STORE_*` codes), or the typed
 * errors of `store-errors.ts`.
 */
export interface StateStore {
  /** The database, for messages: a file path, or a URL without its password. */
  readonly location: string;

  /** Records an execution with its first nodes. */
  createExecution(record: ExecutionRecord, nodes?: NodeRecord[]): Promise<void>;
  updateExecution(id: string, patch: ExecutionPatch): Promise<void>;
  /**
   * Ends a running execution: its status, outputs or error; every node still
   * pending or running marked skipped, every attempt still running closed as
   * failed with the execution's error (a cancellation's). Resolves false (and changes
   * nothing) when the execution had already ended, say cancelled meanwhile.
   */
  finishExecution(id: string, end: ExecutionEnd): Promise<boolean>;
  getExecution(id: string): Promise<ExecutionRecord | undefined>;
  /** Newest first. */
  listExecutions(options?: ListExecutionsOptions): Promise<ExecutionRecord[]>;
  /** Marks a running execution for cancellation by whichever replica drives it; false when it is not running. */
  requestCancel(id: string, at?: number): Promise<boolean>;

  insertNodes(nodes: NodeRecord[]): Promise<void>;
  updateNode(executionId: string, nodeId: string, patch: NodePatch): Promise<void>;
  /** Several patches of one execution's nodes (a batch of cache hits, say). */
  updateNodes(executionId: string, updates: ReadonlyArray<{ nodeId: string; patch: NodePatch }>): Promise<void>;
  /** A node's patch together with its new children (a map's items, a sub-workflow's nodes). */
  expandNode(executionId: string, nodeId: string, patch: NodePatch, children: NodeRecord[]): Promise<void>;
  getNode(executionId: string, nodeId: string): Promise<NodeRecord | undefined>;
  /** All nodes of an execution, in insertion order. */
  listNodes(executionId: string): Promise<NodeRecord[]>;

  /**
   * Opens an attempt and marks its node `running` with `attempts` set to the
   * attempt's number (`startedAt` kept when the node has one). With a fence,
   * fails with LeaseLostError unless the execution is leased to that replica
   * and the lease has not expired. An attempt that exists already fails with
   * AttemptConflictError: no (execution, node, attempt) is ever started twice.
   */
  startAttempt(record: AttemptRecord, fence?: AttemptFence): Promise<void>;
  /** Closes an attempt, with whatever its end changes (`outcome`). */
  finishAttempt(ref: AttemptRef, end: AttemptEnd, outcome?: AttemptOutcome): Promise<void>;
  /** Closes as failed every attempt of the execution still running (its runner died); resolves with them as they were. */
  closeRunningAttempts(executionId: string, endedAt: number, errorFor: (attempt: AttemptRecord) => ErrorInfo): Promise<AttemptRecord[]>;
  listAttempts(executionId: string, nodeId?: string): Promise<AttemptRecord[]>;

  /**
   * Records what a remote attempt reported; the first report stands. Resolves
   * true when `result` is the attempt's report (saved now, or the same one
   * saved before), false when a different one was saved first.
   * STORE_NOT_FOUND when the attempt was never started.
   */
  saveAttemptReport(ref: AttemptRef, result: JobResult): Promise<boolean>;
  getAttemptReport(ref: AttemptRef): Promise<JobResult | undefined>;

  getCached(key: string): Promise<CacheEntry | undefined>;
  putCached(entry: CacheEntry): Promise<void>;

  /**
   * Takes the lease on an execution for `leaseMs` from now. Succeeds only if
   * nobody holds it, its lease expired, or `replicaId` holds it already (then
   * it is renewed); taking it from anyone else bumps the lease's epoch.
   */
  claimExecution(id: string, replicaId: string, leaseMs: number): Promise<boolean>;
  /** Extends every lease `replicaId` holds; resolves with the ids of those executions. */
  renewLeases(replicaId: string, leaseMs: number): Promise<string[]>;
  /** Gives up the lease, if `replicaId` holds it. */
  releaseExecution(id: string, replicaId: string): Promise<void>;
  getLease(id: string): Promise<ExecutionLease | undefined>;
  /** Running executions nobody holds (no lease, or one expired by `now`), oldest first. */
  listClaimable(now: number, limit: number): Promise<ExecutionRecord[]>;

  insertToken(record: TokenRecord): Promise<void>;
  /** Tokens not revoked, oldest first. */
  listTokens(): Promise<TokenRecord[]>;
  /** Revokes a token (again: nothing changes); STORE_NOT_FOUND when no token has this id. */
  revokeToken(id: string, at?: number): Promise<void>;

  /**
   * The secret called `name`, made by `create` on first use. Replicas that
   * ask at once all get the same one (the first stored).
   */
  getOrCreateSecret(name: string, create: () => Buffer): Promise<Buffer>;

  close(): Promise<void>;
}
