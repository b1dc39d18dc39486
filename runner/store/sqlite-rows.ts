/**
 * Rows of the SQLite state store and their records. JSON fields are TEXT; an
 * absent optional field is SQL NULL (so a present `null` output, stored as the
 * text "null", stays distinct from no output at all).
 */
import type { AttemptRecord, CacheEntry, ExecutionRecord, NodePatch, NodeRecord, TokenRecord } from "./state-store.ts";

export interface ExecutionRow {
  id: string;
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
  created_at: number;
  ended_at: number | null;
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
  cached: number;
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

export function executionFromRow(row: ExecutionRow): ExecutionRecord {
  const record: ExecutionRecord = {
    id: row.id,
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
  if (row.ended_at !== null) record.endedAt = row.ended_at;
  return record;
}

export function nodeFromRow(row: NodeRow): NodeRecord {
  const record: NodeRecord = {
    executionId: row.execution_id,
    id: row.id,
    parentId: row.parent_id,
    entity: row.entity,
    kind: row.kind,
    status: row.status,
    cached: row.cached === 1,
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

export function encodePatchValue(value: unknown, encoding: Encoding): unknown {
  if (encoding === "json") return JSON.stringify(value);
  if (encoding === "boolean") return value ? 1 : 0;
  return value;
}

export function nodeUpdateSql(shape: number): string {
  const sets: string[] = [];
  NODE_PATCH_COLUMNS.forEach(({ column }, bit) => {
    if (shape & (1 << bit)) sets.push(`${column} = ?`);
  });
  return `UPDATE nodes SET ${sets.join(", ")} WHERE execution_id = ? AND id = ?`;
}
