/**
 * The embedded state store: one SQLite file (`.aloft/state.db`) in WAL mode.
 *
 * Durability: with WAL and synchronous=NORMAL a commit is in the write-ahead
 * log (the OS page cache) before the call returns, so killing the process at
 * any point, even with `kill -9`, loses nothing that was recorded. A power
 * loss or OS crash may lose the last transactions (WAL is fsynced only at
 * checkpoints); we accept that for the several-fold write speed it buys.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Database as Connection, Statement } from "better-sqlite3";
import { AloftError } from "../../compiler/errors.ts";
import { storeError, unwritable } from "./sqlite-errors.ts";
import {
  attemptFromRow,
  cacheFromRow,
  encodePatchValue,
  executionFromRow,
  jsonOrNull,
  NODE_PATCH_COLUMNS,
  nodeFromRow,
  nodeUpdateSql,
  tokenFromRow,
  type AttemptRow,
  type CacheRow,
  type ExecutionRow,
  type NodeRow,
  type TokenRow,
} from "./sqlite-rows.ts";
import { migrate } from "./sqlite-schema.ts";
import { prepareStatements, type Statements } from "./sqlite-statements.ts";
import type {
  AttemptRecord,
  CacheEntry,
  ExecutionRecord,
  ExecutionStatus,
  NodePatch,
  NodeRecord,
  StateStore,
  TokenRecord,
} from "./state-store.ts";

export interface SqliteStoreOptions {
  /** How long a write waits for another process's lock before STORE_LOCKED. */
  busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  return SqliteStore.open(path, options);
}

export class SqliteStore implements StateStore {
  private readonly sql: Statements;
  /** Prepared UPDATEs of nodes, by patch shape (see NODE_PATCH_COLUMNS). */
  private readonly nodeUpdates = new Map<number, Statement>();
  /** Begins IMMEDIATE (no read-to-write upgrade that could fail as busy); nested calls become savepoints. */
  private readonly runTransaction: (fn: () => unknown) => unknown;

  private constructor(
    readonly path: string,
    private readonly db: Connection,
  ) {
    this.sql = prepareStatements(db);
    this.runTransaction = db.transaction((fn: () => unknown) => fn()).immediate;
  }

  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    const inMemory = path === ":memory:";
    if (!inMemory) {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (error) {
        throw unwritable(path, `cannot create its folder ${dirname(path)}: ${(error as Error).message}`);
      }
    }
    let db: Connection;
    try {
      db = new Database(path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    } catch (error) {
      throw storeError(error, path, "opening it");
    }
    try {
      const mode = db.pragma("journal_mode = WAL", { simple: true });
      if (mode !== "wal" && !inMemory) {
        throw unwritable(path, `its file system does not support write-ahead logging (journal mode stayed "${String(mode)}"); put it on a local disk`);
      }
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = OFF");
      migrate(db, path);
      db.pragma("foreign_keys = ON");
      return new SqliteStore(path, db);
    } catch (error) {
      db.close();
      throw storeError(error, path, "opening it");
    }
  }

  createExecution(record: ExecutionRecord): void {
    try {
      this.sql.insertExecution.run(
        record.id,
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
        record.createdAt,
        record.endedAt ?? null,
      );
    } catch (error) {
      throw storeError(error, this.path, `recording execution ${record.id}`);
    }
  }

  updateExecution(id: string, patch: Partial<Pick<ExecutionRecord, "status" | "outputs" | "error" | "endedAt">>): void {
    let changes: number;
    try {
      // NULL binds leave a column as it is (COALESCE), which is what an absent patch field means.
      changes = this.sql.updateExecution.run(patch.status ?? null, jsonOrNull(patch.outputs), jsonOrNull(patch.error), patch.endedAt ?? null, id).changes;
    } catch (error) {
      throw storeError(error, this.path, `updating execution ${id}`);
    }
    if (changes === 0) throw this.missing(`execution ${id}`);
  }

  getExecution(id: string): ExecutionRecord | undefined {
    try {
      const row = this.sql.getExecution.get(id) as ExecutionRow | undefined;
      return row && executionFromRow(row);
    } catch (error) {
      throw storeError(error, this.path, `reading execution ${id}`);
    }
  }

  listExecutions(options: { limit?: number; status?: ExecutionStatus } = {}): ExecutionRecord[] {
    const limit = options.limit ?? -1;
    try {
      const rows = (options.status === undefined
        ? this.sql.listExecutions.all(limit)
        : this.sql.listExecutionsByStatus.all(options.status, limit)) as ExecutionRow[];
      return rows.map(executionFromRow);
    } catch (error) {
      throw storeError(error, this.path, "listing executions");
    }
  }

  insertNodes(nodes: NodeRecord[]): void {
    try {
      if (nodes.length === 1) this.insertNode(nodes[0]!);
      else if (nodes.length > 1) this.runTransaction(() => nodes.forEach((node) => this.insertNode(node)));
    } catch (error) {
      throw storeError(error, this.path, `recording nodes of execution ${nodes[0]?.executionId} (does the execution exist? is a node id repeated?)`);
    }
  }

  updateNode(executionId: string, nodeId: string, patch: NodePatch): void {
    let shape = 0;
    const values: unknown[] = [];
    for (let bit = 0; bit < NODE_PATCH_COLUMNS.length; bit++) {
      const { field, encoding } = NODE_PATCH_COLUMNS[bit]!;
      const value = patch[field];
      if (value === undefined) continue;
      shape |= 1 << bit;
      values.push(encodePatchValue(value, encoding));
    }
    if (shape === 0) return;
    values.push(executionId, nodeId);
    let changes: number;
    try {
      let statement = this.nodeUpdates.get(shape);
      if (!statement) {
        statement = this.db.prepare(nodeUpdateSql(shape));
        this.nodeUpdates.set(shape, statement);
      }
      changes = statement.run(values).changes;
    } catch (error) {
      throw storeError(error, this.path, `updating node ${nodeId} of execution ${executionId}`);
    }
    if (changes === 0) throw this.missing(`node ${nodeId} of execution ${executionId}`);
  }

  getNode(executionId: string, nodeId: string): NodeRecord | undefined {
    try {
      const row = this.sql.getNode.get(executionId, nodeId) as NodeRow | undefined;
      return row && nodeFromRow(row);
    } catch (error) {
      throw storeError(error, this.path, `reading node ${nodeId} of execution ${executionId}`);
    }
  }

  listNodes(executionId: string): NodeRecord[] {
    try {
      return (this.sql.listNodes.all(executionId) as NodeRow[]).map(nodeFromRow);
    } catch (error) {
      throw storeError(error, this.path, `listing nodes of execution ${executionId}`);
    }
  }

  startAttempt(record: AttemptRecord): void {
    try {
      this.sql.insertAttempt.run(
        record.executionId,
        record.nodeId,
        record.attempt,
        record.status,
        record.workerPid ?? null,
        record.logPath,
        jsonOrNull(record.error),
        record.startedAt,
        record.endedAt ?? null,
      );
    } catch (error) {
      throw storeError(error, this.path, `recording attempt ${record.attempt} of node ${record.nodeId} of execution ${record.executionId} (does the node exist?)`);
    }
  }

  finishAttempt(
    executionId: string,
    nodeId: string,
    attempt: number,
    patch: Pick<AttemptRecord, "status" | "endedAt"> & { error?: AttemptRecord["error"] },
  ): void {
    let changes: number;
    try {
      changes = this.sql.finishAttempt.run(patch.status, patch.endedAt ?? null, jsonOrNull(patch.error), executionId, nodeId, attempt).changes;
    } catch (error) {
      throw storeError(error, this.path, `finishing attempt ${attempt} of node ${nodeId} of execution ${executionId}`);
    }
    if (changes === 0) throw this.missing(`attempt ${attempt} of node ${nodeId} of execution ${executionId}`);
  }

  listAttempts(executionId: string, nodeId?: string): AttemptRecord[] {
    try {
      const rows = (nodeId === undefined
        ? this.sql.listAttempts.all(executionId)
        : this.sql.listNodeAttempts.all(executionId, nodeId)) as AttemptRow[];
      return rows.map(attemptFromRow);
    } catch (error) {
      throw storeError(error, this.path, `listing attempts of execution ${executionId}`);
    }
  }

  getCached(key: string): CacheEntry | undefined {
    try {
      const row = this.sql.getCached.get(key) as CacheRow | undefined;
      return row && cacheFromRow(row);
    } catch (error) {
      throw storeError(error, this.path, `reading cache entry ${key}`);
    }
  }

  putCached(entry: CacheEntry): void {
    try {
      this.sql.putCached.run(entry.key, entry.entity, JSON.stringify(entry.outputs), entry.executionId, entry.nodeId, entry.createdAt);
    } catch (error) {
      throw storeError(error, this.path, `recording cache entry ${entry.key}`);
    }
  }

  insertToken(record: TokenRecord): void {
    const project = record.scope.kind === "project" ? record.scope.project : null;
    try {
      this.sql.insertToken.run(record.id, record.hash, record.scope.kind, project, record.description, record.createdAt, record.revokedAt ?? null);
    } catch (error) {
      throw storeError(error, this.path, `recording runner token ${record.id}`);
    }
  }

  listTokens(): TokenRecord[] {
    try {
      return (this.sql.listTokens.all() as TokenRow[]).map(tokenFromRow);
    } catch (error) {
      throw storeError(error, this.path, "listing runner tokens");
    }
  }

  transaction<T>(fn: () => T): T {
    try {
      return this.runTransaction(fn) as T;
    } catch (error) {
      throw storeError(error, this.path, "running a transaction");
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private insertNode(node: NodeRecord): void {
    this.sql.insertNode.run(
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
      node.cached ? 1 : 0,
      node.attempts,
      node.startedAt ?? null,
      node.endedAt ?? null,
    );
  }

  private missing(what: string): AloftError {
    return new AloftError({ code: "STORE_NOT_FOUND", kind: "system", message: `${what} is not in the state database ${this.path}` });
  }
}
