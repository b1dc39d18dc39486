/**
 * The embedded state store: one SQLite file (`.aloft/state.db`) in WAL mode.
 *
 * Durability: with WAL and synchronous=NORMAL a commit is in the write-ahead
 * log (the OS page cache) before the call returns, so killing the process at
 * any point, even with `kill -9`, loses nothing that was recorded. A power
 * loss or OS crash may lose the last transactions (WAL is fsynced only at
 * checkpoints); we accept that for the several-fold write speed it buys.
 *
 * better-sqlite3 is synchronous: each method does all its work, in one
 * transaction when it writes several rows, before its promise exists. No
 * transaction ever spans an await, so the one connection never mixes the
 * writes of concurrent callers.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Database as Connection, Statement } from "better-sqlite3";
import type { ErrorInfo } from "../../compiler/errors.ts";
import type { AttemptRef, JobResult } from "../worker/protocol.ts";
import { storeError, unwritable } from "./sqlite-errors.ts";
import { migrate } from "./sqlite-schema.ts";
import { prepareStatements, type Statements } from "./sqlite-statements.ts";
import { AttemptConflictError, LeaseLostError, notFound } from "./store-errors.ts";
import {
  attemptFromRow,
  attemptValues,
  cacheFromRow,
  cacheValues,
  encodeNodePatch,
  executionFromRow,
  executionValues,
  jsonOrNull,
  leaseFromRow,
  nodeFromRow,
  nodeUpdateSql,
  nodeValues,
  reportText,
  tokenFromRow,
  tokenValues,
  type AttemptRow,
  type CacheRow,
  type ExecutionRow,
  type NodeRow,
  type TokenRow,
} from "./store-rows.ts";
import type {
  AttemptEnd,
  AttemptFence,
  AttemptOutcome,
  AttemptRecord,
  CacheEntry,
  ExecutionEnd,
  ExecutionLease,
  ExecutionPatch,
  ExecutionRecord,
  ListExecutionsOptions,
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

const sqliteBoolean = (value: boolean) => (value ? 1 : 0);
const describeAttempt = (ref: AttemptRef) => `attempt ${ref.attempt} of node ${ref.nodeId} of execution ${ref.executionId}`;

export class SqliteStore implements StateStore {
  readonly location: string;
  private readonly sql: Statements;
  /** Prepared UPDATEs of nodes, by patch shape (see NODE_PATCH_COLUMNS). */
  private readonly nodeUpdates = new Map<number, Statement>();
  /** Prepared listings of executions, by which filters they have. */
  private readonly listings = new Map<string, Statement>();
  /** Begins IMMEDIATE (no read-to-write upgrade that could fail as busy). */
  private readonly runTransaction: <T>(fn: () => T) => T;

  private constructor(
    readonly path: string,
    private readonly db: Connection,
  ) {
    this.location = path;
    this.sql = prepareStatements(db);
    const transaction = db.transaction((fn: () => unknown) => fn()).immediate;
    this.runTransaction = <T>(fn: () => T) => transaction(fn) as T;
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

  // ---- executions ----------------------------------------------------------

  async createExecution(record: ExecutionRecord, nodes: NodeRecord[] = []): Promise<void> {
    this.write(`recording execution ${record.id}${nodes.length ? " and its nodes (is a node id repeated?)" : ""}`, () => {
      this.sql.insertExecution.run(executionValues(record));
      for (const node of nodes) this.insertNode(node);
    });
  }

  async updateExecution(id: string, patch: ExecutionPatch): Promise<void> {
    // NULL binds leave a column as it is (COALESCE), which is what an absent patch field means.
    const { changes } = this.run(`updating execution ${id}`, () =>
      this.sql.updateExecution.run(patch.status ?? null, jsonOrNull(patch.outputs), jsonOrNull(patch.error), patch.endedAt ?? null, id),
    );
    if (changes === 0) throw notFound(`execution ${id}`, this.path);
  }

  async finishExecution(id: string, end: ExecutionEnd): Promise<boolean> {
    return this.write(`ending execution ${id}`, () => {
      const ended = this.sql.endExecution.run(end.status, jsonOrNull(end.outputs), jsonOrNull(end.error), end.endedAt, id).changes === 1;
      if (ended) {
        this.sql.closeAttemptsOfEnded.run(end.endedAt, jsonOrNull(end.error), id);
        this.sql.skipUnfinishedNodes.run(end.endedAt, id);
      } else if (!this.sql.executionStatus.get(id)) throw notFound(`execution ${id}`, this.path);
      return ended;
    });
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    const row = this.run(`reading execution ${id}`, () => this.sql.getExecution.get(id) as ExecutionRow | undefined);
    return row && executionFromRow(row);
  }

  async listExecutions(options: ListExecutionsOptions = {}): Promise<ExecutionRecord[]> {
    const filters: string[] = [];
    const values: unknown[] = [];
    if (options.status !== undefined) {
      filters.push("status = ?");
      values.push(options.status);
    }
    if (options.project !== undefined) {
      filters.push("project = ?");
      values.push(options.project);
    }
    if (options.domain !== undefined) {
      filters.push("domain = ?");
      values.push(options.domain);
    }
    values.push(options.limit ?? -1);
    const rows = this.run("listing executions", () => {
      const key = filters.join(" AND ");
      let statement = this.listings.get(key);
      if (!statement) {
        statement = this.db.prepare(`SELECT * FROM executions ${key ? `WHERE ${key}` : ""} ORDER BY created_at DESC, rowid DESC LIMIT ?`);
        this.listings.set(key, statement);
      }
      return statement.all(values) as ExecutionRow[];
    });
    return rows.map(executionFromRow);
  }

  async requestCancel(id: string, at = Date.now()): Promise<boolean> {
    return this.write(`asking to cancel execution ${id}`, () => {
      if (this.sql.requestCancel.run(at, id).changes === 1) return true;
      if (!this.sql.executionStatus.get(id)) throw notFound(`execution ${id}`, this.path);
      return false;
    });
  }

  // ---- nodes ---------------------------------------------------------------

  async insertNodes(nodes: NodeRecord[]): Promise<void> {
    if (!nodes.length) return;
    this.write(`recording nodes of execution ${nodes[0]!.executionId} (does the execution exist? is a node id repeated?)`, () => {
      for (const node of nodes) this.insertNode(node);
    });
  }

  async updateNode(executionId: string, nodeId: string, patch: NodePatch): Promise<void> {
    this.run(`updating node ${nodeId} of execution ${executionId}`, () => this.patchNode(executionId, nodeId, patch));
  }

  async updateNodes(executionId: string, updates: ReadonlyArray<{ nodeId: string; patch: NodePatch }>): Promise<void> {
    if (!updates.length) return;
    this.write(`updating ${updates.length} nodes of execution ${executionId}`, () => {
      for (const { nodeId, patch } of updates) this.patchNode(executionId, nodeId, patch);
    });
  }

  async expandNode(executionId: string, nodeId: string, patch: NodePatch, children: NodeRecord[]): Promise<void> {
    this.write(`recording node ${nodeId} of execution ${executionId} with its ${children.length} new nodes (is a node id repeated?)`, () => {
      this.patchNode(executionId, nodeId, patch);
      for (const child of children) this.insertNode(child);
    });
  }

  async getNode(executionId: string, nodeId: string): Promise<NodeRecord | undefined> {
    const row = this.run(`reading node ${nodeId} of execution ${executionId}`, () => this.sql.getNode.get(executionId, nodeId) as NodeRow | undefined);
    return row && nodeFromRow(row);
  }

  async listNodes(executionId: string): Promise<NodeRecord[]> {
    return this.run(`listing nodes of execution ${executionId}`, () => this.sql.listNodes.all(executionId) as NodeRow[]).map(nodeFromRow);
  }

  // ---- attempts ------------------------------------------------------------

  async startAttempt(record: AttemptRecord, fence?: AttemptFence): Promise<void> {
    this.write(`recording ${describeAttempt(record)} (does the node exist?)`, () => {
      if (fence && !this.sql.holdsLease.get(record.executionId, fence.replicaId, Date.now())) {
        throw new LeaseLostError(record.executionId, fence.replicaId, this.path);
      }
      if (this.sql.attemptExists.get(record.executionId, record.nodeId, record.attempt)) throw new AttemptConflictError(record, this.path);
      this.sql.insertAttempt.run(attemptValues(record));
      this.sql.markNodeRunning.run(record.attempt, record.startedAt, record.executionId, record.nodeId);
    });
  }

  async finishAttempt(ref: AttemptRef, end: AttemptEnd, outcome: AttemptOutcome = {}): Promise<void> {
    this.write(`finishing ${describeAttempt(ref)}`, () => {
      const { changes } = this.sql.finishAttempt.run(end.status, end.endedAt, jsonOrNull(end.error), ref.executionId, ref.nodeId, ref.attempt);
      if (changes === 0) throw notFound(describeAttempt(ref), this.path);
      if (outcome.node) this.patchNode(ref.executionId, ref.nodeId, outcome.node);
      for (const child of outcome.children ?? []) this.insertNode(child);
      if (outcome.cache) this.sql.putCached.run(cacheValues(outcome.cache));
    });
  }

  async closeRunningAttempts(executionId: string, endedAt: number, errorFor: (attempt: AttemptRecord) => ErrorInfo): Promise<AttemptRecord[]> {
    return this.write(`closing the running attempts of execution ${executionId}`, () => {
      const running = (this.sql.runningAttempts.all(executionId) as AttemptRow[]).map(attemptFromRow);
      for (const attempt of running) {
        this.sql.finishAttempt.run("failed", endedAt, JSON.stringify(errorFor(attempt)), executionId, attempt.nodeId, attempt.attempt);
      }
      return running;
    });
  }

  async listAttempts(executionId: string, nodeId?: string): Promise<AttemptRecord[]> {
    const rows = this.run(`listing attempts of execution ${executionId}`, () =>
      (nodeId === undefined ? this.sql.listAttempts.all(executionId) : this.sql.listNodeAttempts.all(executionId, nodeId)) as AttemptRow[],
    );
    return rows.map(attemptFromRow);
  }

  async saveAttemptReport(ref: AttemptRef, result: JobResult): Promise<boolean> {
    const text = reportText(result);
    return this.write(`recording the report of ${describeAttempt(ref)}`, () => {
      if (!this.sql.attemptExists.get(ref.executionId, ref.nodeId, ref.attempt)) throw notFound(describeAttempt(ref), this.path);
      if (this.sql.insertReport.run(ref.executionId, ref.nodeId, ref.attempt, text, Date.now()).changes === 1) return true;
      return (this.sql.getReport.get(ref.executionId, ref.nodeId, ref.attempt) as { result: string }).result === text;
    });
  }

  async getAttemptReport(ref: AttemptRef): Promise<JobResult | undefined> {
    const row = this.run(`reading the report of ${describeAttempt(ref)}`, () => this.sql.getReport.get(ref.executionId, ref.nodeId, ref.attempt) as { result: string } | undefined);
    return row && (JSON.parse(row.result) as JobResult);
  }

  // ---- cache ---------------------------------------------------------------

  async getCached(key: string): Promise<CacheEntry | undefined> {
    const row = this.run(`reading cache entry ${key}`, () => this.sql.getCached.get(key) as CacheRow | undefined);
    return row && cacheFromRow(row);
  }

  async putCached(entry: CacheEntry): Promise<void> {
    this.run(`recording cache entry ${entry.key}`, () => this.sql.putCached.run(cacheValues(entry)));
  }

  // ---- leases --------------------------------------------------------------

  async claimExecution(id: string, replicaId: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const { changes } = this.run(`claiming execution ${id} for replica ${replicaId}`, () =>
      this.sql.claimExecution.run({ id, replica: replicaId, now, expires: now + leaseMs }),
    );
    return changes === 1;
  }

  async renewLeases(replicaId: string, leaseMs: number): Promise<string[]> {
    const rows = this.run(`renewing the leases of replica ${replicaId}`, () => this.sql.renewLeases.all(Date.now() + leaseMs, replicaId) as { id: string }[]);
    return rows.map((row) => row.id);
  }

  async releaseExecution(id: string, replicaId: string): Promise<void> {
    this.run(`releasing execution ${id}`, () => this.sql.releaseExecution.run(id, replicaId));
  }

  async getLease(id: string): Promise<ExecutionLease | undefined> {
    const row = this.run(`reading the lease of execution ${id}`, () => this.sql.getLease.get(id) as ExecutionRow | undefined);
    return row && leaseFromRow(row);
  }

  async listClaimable(now: number, limit: number): Promise<ExecutionRecord[]> {
    return this.run("listing executions to claim", () => this.sql.listClaimable.all(now, limit) as ExecutionRow[]).map(executionFromRow);
  }

  // ---- tokens and secrets --------------------------------------------------

  async insertToken(record: TokenRecord): Promise<void> {
    this.run(`recording runner token ${record.id}`, () => this.sql.insertToken.run(tokenValues(record)));
  }

  async listTokens(): Promise<TokenRecord[]> {
    return this.run("listing runner tokens", () => this.sql.listTokens.all() as TokenRow[]).map(tokenFromRow);
  }

  async revokeToken(id: string, at = Date.now()): Promise<void> {
    const { changes } = this.run(`revoking runner token ${id}`, () => this.sql.revokeToken.run(at, id));
    if (changes === 0) throw notFound(`runner token ${id}`, this.path);
  }

  async getOrCreateSecret(name: string, create: () => Buffer): Promise<Buffer> {
    const existing = this.run(`reading secret ${name}`, () => this.sql.getSecret.get(name) as { value: Buffer } | undefined);
    if (existing) return existing.value;
    const value = create();
    return this.write(`recording secret ${name}`, () => {
      this.sql.insertSecret.run(name, value, Date.now());
      return (this.sql.getSecret.get(name) as { value: Buffer }).value;
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // ---- helpers -------------------------------------------------------------

  /** Runs `body` in one transaction; failures become AloftErrors saying what was being done. */
  private write<T>(doing: string, body: () => T): T {
    try {
      return this.runTransaction(body);
    } catch (error) {
      throw storeError(error, this.path, doing);
    }
  }

  /** Runs `body`, one statement (atomic by itself) or reads, outside a transaction. */
  private run<T>(doing: string, body: () => T): T {
    try {
      return body();
    } catch (error) {
      throw storeError(error, this.path, doing);
    }
  }

  private insertNode(node: NodeRecord): void {
    this.sql.insertNode.run(nodeValues(node, sqliteBoolean));
  }

  private patchNode(executionId: string, nodeId: string, patch: NodePatch): void {
    const { shape, values } = encodeNodePatch(patch, sqliteBoolean);
    if (shape === 0) {
      if (!this.sql.getNode.get(executionId, nodeId)) throw notFound(`node ${nodeId} of execution ${executionId}`, this.path);
      return;
    }
    let statement = this.nodeUpdates.get(shape);
    if (!statement) {
      statement = this.db.prepare(nodeUpdateSql(shape, () => "?"));
      this.nodeUpdates.set(shape, statement);
    }
    if (statement.run(...values, executionId, nodeId).changes === 0) throw notFound(`node ${nodeId} of execution ${executionId}`, this.path);
  }
}
