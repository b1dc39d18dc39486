/**
 * Rows of the state store's tables and their records, shared by the SQLite
 * and PostgreSQL stores (same tables, same column names). JSON fields are
 * text; an absent optional field is SQL NULL (so a present `null` output,
 * stored as the text "null", stays distinct from no output at all).
 */
import { canonicalJson } from "../data/canonical-json.ts";
import type { WireValue } from "../data/wire.ts";
import type { JobResult } from "../worker/protocol.ts";
import type { AttemptRecord, CacheEntry, ExecutionLease, ExecutionRecord, NodePatch, NodeRecord, TokenRecord } from "./state-store.ts";

export interface ExecutionRow {
  id: string;
  project: string;
  domain: string;
  file: string;
  entity: string;
  kind: ExecutionRecord["kind"];
  bundle_hash: string;
  bundle_path: string;
  interfaces: string;
  status: ExecutionRecord["status"];
  inputs: string;
  outputs: string | null;
  error: string | null;
  descriptor: string | null;
  source_map: string | null;
  cancel_requested_at: number | null;
  created_at: number;
  ended_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  lease_epoch: number;
}

export interface NodeRow {
  execution_id: string;
  id: string;
  parent_id: string | null;
  entity: string;
  kind: NodeRecord["kind"];
  status: NodeRecord["status"];
  inputs: string | null;
  outputs: string | null;
  error: string | null;
  graph: string | null;
  cache_key: string | null;
  /** 0 or 1 in SQLite, a boolean in PostgreSQL. */
  cached: number | boolean;
  attempts: number;
  started_at: number | null;
  ended_at: number | null;
}

export interface AttemptRow {
  execution_id: string;
  node_id: string;
  attempt: number;
  status: AttemptRecord["status"];
  worker_pid: number | null;
  log_path: string;
  error: string | null;
  started_at: number;
  ended_at: number | null;
}

export interface CacheRow {
  key: string;
  entity: string;
  outputs: string;
  execution_id: string;
  node_id: string;
  created_at: number;
}

export interface TokenRow {
  id: string;
  hash: string;
  scope: TokenRecord["scope"]["kind"];
  project: string | null;
  description: string;
  created_at: number;
  revoked_at: number | null;
}

export function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** The one text of a report: equal reports are equal texts, however their objects were built. */
export function reportText(result: JobResult): string {
  return canonicalJson(result as unknown as WireValue);
}

export function executionFromRow(row: ExecutionRow): ExecutionRecord {
  const record: ExecutionRecord = {
    id: row.id,
    project: row.project,
    domain: row.domain,
    file: row.file,
    entity: row.entity,
    kind: row.kind,
    bundleHash: row.bundle_hash,
    bundlePath: row.bundle_path,
    interfaces: JSON.parse(row.interfaces),
    status: row.status,
    inputs: JSON.parse(row.inputs),
    createdAt: row.created_at,
  };
  if (row.outputs !== null) record.outputs = JSON.parse(row.outputs);
  if (row.error !== null) record.error = JSON.parse(row.error);
  if (row.descriptor !== null) record.descriptor = row.descriptor;
  if (row.source_map !== null) record.sourceMap = row.source_map;
  if (row.cancel_requested_at !== null) record.cancelRequestedAt = row.cancel_requested_at;
  if (row.ended_at !== null) record.endedAt = row.ended_at;
  return record;
}

/** The execution's columns, in the order of the INSERTs of both stores. */
export function executionValues(record: ExecutionRecord): unknown[] {
  return [
    record.id,
    record.project,
    record.domain,
    record.file,
    record.entity,
    record.kind,
    record.bundleHash,
    record.bundlePath,
    JSON.stringify(record.interfaces),
    record.status,
    JSON.stringify(record.inputs),
    jsonOrNull(record.outputs),
    jsonOrNull(record.error),
    record.descriptor ?? null,
    record.sourceMap ?? null,
    record.cancelRequestedAt ?? null,
    record.createdAt,
    record.endedAt ?? null,
  ];
}

export const EXECUTION_COLUMNS =
  "id, project, domain, file, entity, kind, bundle_hash, bundle_path, interfaces, status, inputs, outputs, error, descriptor, source_map, cancel_requested_at, created_at, ended_at";

export function leaseFromRow(row: Pick<ExecutionRow, "lease_owner" | "lease_expires_at" | "lease_epoch">): ExecutionLease | undefined {
  if (row.lease_owner === null || row.lease_expires_at === null) return undefined;
  return { replicaId: row.lease_owner, expiresAt: row.lease_expires_at, epoch: row.lease_epoch };
}

export function nodeFromRow(row: NodeRow): NodeRecord {
  const record: NodeRecord = {
    executionId: row.execution_id,
    id: row.id,
    parentId: row.parent_id,
    entity: row.entity,
    kind: row.kind,
    status: row.status,
    cached: row.cached === 1 || row.cached === true,
    attempts: row.attempts,
  };
  if (row.inputs !== null) record.inputs = JSON.parse(row.inputs);
  if (row.outputs !== null) record.outputs = JSON.parse(row.outputs);
  if (row.error !== null) record.error = JSON.parse(row.error);
  if (row.graph !== null) record.graph = JSON.parse(row.graph);
  if (row.cache_key !== null) record.cacheKey = row.cache_key;
  if (row.started_at !== null) record.startedAt = row.started_at;
  if (row.ended_at !== null) record.endedAt = row.ended_at;
  return record;
}

export const NODE_COLUMNS = "execution_id, id, parent_id, entity, kind, status, inputs, outputs, error, graph, cache_key, cached, attempts, started_at, ended_at";

/** The node's columns, in the order of NODE_COLUMNS; `cached` as the database spells a boolean. */
export function nodeValues(node: NodeRecord, cached: (value: boolean) => unknown): unknown[] {
  return [
    node.executionId,
    node.id,
    node.parentId,
    node.entity,
    node.kind,
    node.status,
    jsonOrNull(node.inputs),
    jsonOrNull(node.outputs),
    jsonOrNull(node.error),
    jsonOrNull(node.graph),
    node.cacheKey ?? null,
    cached(node.cached),
    node.attempts,
    node.startedAt ?? null,
    node.endedAt ?? null,
  ];
}

export function attemptFromRow(row: AttemptRow): AttemptRecord {
  const record: AttemptRecord = {
    executionId: row.execution_id,
    nodeId: row.node_id,
    attempt: row.attempt,
    status: row.status,
    logPath: row.log_path,
    startedAt: row.started_at,
  };
  if (row.worker_pid !== null) record.workerPid = row.worker_pid;
  if (row.error !== null) record.error = JSON.parse(row.error);
  if (row.ended_at !== null) record.endedAt = row.ended_at;
  return record;
}

export const ATTEMPT_COLUMNS = "execution_id, node_id, attempt, status, worker_pid, log_path, error, started_at, ended_at";

export function attemptValues(record: AttemptRecord): unknown[] {
  return [
    record.executionId,
    record.nodeId,
    record.attempt,
    record.status,
    record.workerPid ?? null,
    record.logPath,
    jsonOrNull(record.error),
    record.startedAt,
    record.endedAt ?? null,
  ];
}

export function cacheFromRow(row: CacheRow): CacheEntry {
  return {
    key: row.key,
    entity: row.entity,
    outputs: JSON.parse(row.outputs),
    executionId: row.execution_id,
    nodeId: row.node_id,
    createdAt: row.created_at,
  };
}

export function cacheValues(entry: CacheEntry): unknown[] {
  return [entry.key, entry.entity, JSON.stringify(entry.outputs), entry.executionId, entry.nodeId, entry.createdAt];
}

export function tokenFromRow(row: TokenRow): TokenRecord {
  const record: TokenRecord = {
    id: row.id,
    hash: row.hash,
    scope: row.scope === "project" ? { kind: "project", project: row.project ?? "" } : { kind: "admin" },
    description: row.description,
    createdAt: row.created_at,
  };
  if (row.revoked_at !== null) record.revokedAt = row.revoked_at;
  return record;
}

export function tokenValues(record: TokenRecord): unknown[] {
  const project = record.scope.kind === "project" ? record.scope.project : null;
  return [record.id, record.hash, record.scope.kind, project, record.description, record.createdAt, record.revokedAt ?? null];
}

type PatchField = keyof NodePatch;
type Encoding = "plain" | "json" | "boolean";

/**
 * The node columns a patch may set. A patch's shape is the bitmask of the
 * fields it holds (bit i = NODE_PATCH_COLUMNS[i]); each shape gets its own
 * prepared UPDATE, so a call binds and serializes only what it changes.
 */
export const NODE_PATCH_COLUMNS: ReadonlyArray<{ field: PatchField; column: string; encoding: Encoding }> = [
  { field: "status", column: "status", encoding: "plain" },
  { field: "inputs", column: "inputs", encoding: "json" },
  { field: "outputs", column: "outputs", encoding: "json" },
  { field: "error", column: "error", encoding: "json" },
  { field: "graph", column: "graph", encoding: "json" },
  { field: "cacheKey", column: "cache_key", encoding: "plain" },
  { field: "cached", column: "cached", encoding: "boolean" },
  { field: "attempts", column: "attempts", encoding: "plain" },
  { field: "startedAt", column: "started_at", encoding: "plain" },
  { field: "endedAt", column: "ended_at", encoding: "plain" },
];

/** A patch's shape (see NODE_PATCH_COLUMNS) and its values in column order; shape 0 changes nothing. */
export function encodeNodePatch(patch: NodePatch, cached: (value: boolean) => unknown): { shape: number; values: unknown[] } {
  let shape = 0;
  const values: unknown[] = [];
  for (let bit = 0; bit < NODE_PATCH_COLUMNS.length; bit++) {
    const { field, encoding } = NODE_PATCH_COLUMNS[bit]!;
    const value = patch[field];
    if (value === undefined) continue;
    shape |= 1 << bit;
    values.push(encoding === "json" ? JSON.stringify(value) : encoding === "boolean" ? cached(value as boolean) : value);
  }
  return { shape, values };
}

/** The UPDATE of a patch shape; `placeholder(i)` spells the i-th parameter (0-based): `?` or `$1`. */
export function nodeUpdateSql(shape: number, placeholder: (index: number) => string): string {
  const sets: string[] = [];
  NODE_PATCH_COLUMNS.forEach(({ column }, bit) => {
    if (shape & (1 << bit)) sets.push(`${column} = ${placeholder(sets.length)}`);
  });
  return `UPDATE nodes SET ${sets.join(", ")} WHERE execution_id = ${placeholder(sets.length)} AND id = ${placeholder(sets.length + 1)}`;
}
