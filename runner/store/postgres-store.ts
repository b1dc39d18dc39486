/**
 * The shared state store: PostgreSQL, for runner replicas that drive
 * executions from one database. A pool of connections; every call that
 * writes several rows runs in one transaction on one connection of its own,
 * so concurrent calls never share a transaction, and each call resolves
 * only after its COMMIT.
 */
import pg from "pg";
import type { PoolClient, QueryResultRow } from "pg";
import type { ErrorInfo } from "../../compiler/errors.ts";
import type { AttemptRef, JobResult } from "../worker/protocol.ts";
import { isConnectionFailure, postgresError } from "./postgres-errors.ts";
import { migrate } from "./postgres-schema.ts";
import { listExecutionsSql, SQL } from "./postgres-statements.ts";
import { parsePostgresUrl } from "./postgres-url.ts";
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

export interface PostgresStoreOptions {
  /** Connections in the pool. */
  poolSize?: number;
  /** How long to wait for a connection before STORE_UNREACHABLE. */
  connectTimeoutMs?: number;
}

/** Timestamps are BIGINT milliseconds: read them as numbers (exact up to 2^53), not strings. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

const postgresBoolean = (value: boolean) => value;
const describeAttempt = (ref: AttemptRef) => `attempt ${ref.attempt} of node ${ref.nodeId} of execution ${ref.executionId}`;

/** Opens (and migrates) the store of a `postgres://` URL; `?schema=NAME` puts its tables in that schema. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const target = parsePostgresUrl(url);
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: "aloft",
    types,
    ...(target.schema === undefined ? {} : { options: `-c search_path=${target.schema}` }),
  });
  // An idle connection that breaks (server restart) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  let client: PoolClient | undefined;
  try {
    client = await pool.connect();
    await migrate(client, target.display, target.schema);
  } catch (error) {
    client?.release(true);
    client = undefined;
    await pool.end().catch(() => {});
    throw postgresError(error, target.display, "opening it");
  }
  client.release();
  return new PostgresStore(target.display, pool);
}

export class PostgresStore implements StateStore {
  private closed = false;

  constructor(
    readonly location: string,
    private readonly pool: pg.Pool,
  ) {}

  // ---- executions ----------------------------------------------------------

  async createExecution(record: ExecutionRecord, nodes: NodeRecord[] = []): Promise<void> {
    await this.transaction(`recording execution ${record.id}${nodes.length ? " and its nodes (is a node id repeated?)" : ""}`, async (client) => {
      await client.query(SQL.insertExecution, executionValues(record));
      await this.insertNodesWith(client, nodes);
    });
  }

  async updateExecution(id: string, patch: ExecutionPatch): Promise<void> {
    const { rowCount } = await this.query(`updating execution ${id}`, SQL.updateExecution, [
      patch.status ?? null,
      jsonOrNull(patch.outputs),
      jsonOrNull(patch.error),
      patch.endedAt ?? null,
      id,
    ]);
    if (rowCount === 0) throw notFound(`execution ${id}`, this.location);
  }

  async finishExecution(id: string, end: ExecutionEnd): Promise<boolean> {
    return this.transaction(`ending execution ${id}`, async (client) => {
      const { rowCount } = await client.query(SQL.endExecution, [end.status, jsonOrNull(end.outputs), jsonOrNull(end.error), end.endedAt, id]);
      if (rowCount === 1) {
        await client.query(SQL.closeAttemptsOfEnded, [end.endedAt, jsonOrNull(end.error), id]);
        await client.query(SQL.skipUnfinishedNodes, [end.endedAt, id]);
        return true;
      }
      if (!(await client.query(SQL.executionExists, [id])).rowCount) throw notFound(`execution ${id}`, this.location);
      return false;
    });
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    const { rows } = await this.query<ExecutionRow>(`reading execution ${id}`, SQL.getExecution, [id]);
    return rows[0] && executionFromRow(rows[0]);
  }

  async listExecutions(options: ListExecutionsOptions = {}): Promise<ExecutionRecord[]> {
    const filters: string[] = [];
    const values: unknown[] = [];
    if (options.status !== undefined) {
      filters.push("status");
      values.push(options.status);
    }
    if (options.project !== undefined) {
      filters.push("project");
      values.push(options.project);
    }
    if (options.domain !== undefined) {
      filters.push("domain");
      values.push(options.domain);
    }
    values.push(options.limit ?? null);
    const { rows } = await this.query<ExecutionRow>("listing executions", listExecutionsSql(filters), values);
    return rows.map(executionFromRow);
  }

  async requestCancel(id: string, at = Date.now()): Promise<boolean> {
    const { rowCount } = await this.query(`asking to cancel execution ${id}`, SQL.requestCancel, [at, id]);
    if (rowCount === 1) return true;
    if (!(await this.query(`reading execution ${id}`, SQL.executionExists, [id])).rowCount) throw notFound(`execution ${id}`, this.location);
    return false;
  }

  // ---- nodes ---------------------------------------------------------------

  async insertNodes(nodes: NodeRecord[]): Promise<void> {
    if (!nodes.length) return;
    await this.query(`recording nodes of execution ${nodes[0]!.executionId} (does the execution exist? is a node id repeated?)`, SQL.insertNodes, nodeArrays(nodes));
  }

  async updateNode(executionId: string, nodeId: string, patch: NodePatch): Promise<void> {
    await this.withClient(`updating node ${nodeId} of execution ${executionId}`, (client) => this.patchNode(client, executionId, nodeId, patch));
  }

  async updateNodes(executionId: string, updates: ReadonlyArray<{ nodeId: string; patch: NodePatch }>): Promise<void> {
    if (!updates.length) return;
    await this.transaction(`updating ${updates.length} nodes of execution ${executionId}`, async (client) => {
      for (const { nodeId, patch } of updates) await this.patchNode(client, executionId, nodeId, patch);
    });
  }

  async expandNode(executionId: string, nodeId: string, patch: NodePatch, children: NodeRecord[]): Promise<void> {
    await this.transaction(`recording node ${nodeId} of execution ${executionId} with its ${children.length} new nodes (is a node id repeated?)`, async (client) => {
      await this.patchNode(client, executionId, nodeId, patch);
      await this.insertNodesWith(client, children);
    });
  }

  async getNode(executionId: string, nodeId: string): Promise<NodeRecord | undefined> {
    const { rows } = await this.query<NodeRow>(`reading node ${nodeId} of execution ${executionId}`, SQL.getNode, [executionId, nodeId]);
    return rows[0] && nodeFromRow(rows[0]);
  }

  async listNodes(executionId: string): Promise<NodeRecord[]> {
    const { rows } = await this.query<NodeRow>(`listing nodes of execution ${executionId}`, SQL.listNodes, [executionId]);
    return rows.map(nodeFromRow);
  }

  // ---- attempts ------------------------------------------------------------

  async startAttempt(record: AttemptRecord, fence?: AttemptFence): Promise<void> {
    await this.transaction(`recording ${describeAttempt(record)} (does the node exist?)`, async (client) => {
      if (fence && !(await client.query(SQL.holdsLease, [record.executionId, fence.replicaId, Date.now()])).rowCount) {
        throw new LeaseLostError(record.executionId, fence.replicaId, this.location);
      }
      if (!(await client.query(SQL.insertAttempt, attemptValues(record))).rowCount) throw new AttemptConflictError(record, this.location);
      await client.query(SQL.markNodeRunning, [record.attempt, record.startedAt, record.executionId, record.nodeId]);
    });
  }

  async finishAttempt(ref: AttemptRef, end: AttemptEnd, outcome: AttemptOutcome = {}): Promise<void> {
    await this.transaction(`finishing ${describeAttempt(ref)}`, async (client) => {
      const { rowCount } = await client.query(SQL.finishAttempt, [end.status, end.endedAt, jsonOrNull(end.error), ref.executionId, ref.nodeId, ref.attempt]);
      if (rowCount === 0) throw notFound(describeAttempt(ref), this.location);
      if (outcome.node) await this.patchNode(client, ref.executionId, ref.nodeId, outcome.node);
      await this.insertNodesWith(client, outcome.children ?? []);
      if (outcome.cache) await client.query(SQL.putCached, cacheValues(outcome.cache));
    });
  }

  async closeRunningAttempts(executionId: string, endedAt: number, errorFor: (attempt: AttemptRecord) => ErrorInfo): Promise<AttemptRecord[]> {
    return this.transaction(`closing the running attempts of execution ${executionId}`, async (client) => {
      const running = (await client.query<AttemptRow>(SQL.runningAttempts, [executionId])).rows.map(attemptFromRow);
      for (const attempt of running) {
        await client.query(SQL.finishAttempt, ["failed", endedAt, JSON.stringify(errorFor(attempt)), executionId, attempt.nodeId, attempt.attempt]);
      }
      return running;
    });
  }

  async listAttempts(executionId: string, nodeId?: string): Promise<AttemptRecord[]> {
    const { rows } = await (nodeId === undefined
      ? this.query<AttemptRow>(`listing attempts of execution ${executionId}`, SQL.listAttempts, [executionId])
      : this.query<AttemptRow>(`listing attempts of execution ${executionId}`, SQL.listNodeAttempts, [executionId, nodeId]));
    return rows.map(attemptFromRow);
  }

  async saveAttemptReport(ref: AttemptRef, result: JobResult): Promise<boolean> {
    const text = reportText(result);
    return this.withClient(`recording the report of ${describeAttempt(ref)}`, async (client) => {
      const key = [ref.executionId, ref.nodeId, ref.attempt];
      if (!(await client.query(SQL.attemptExists, key)).rowCount) throw notFound(describeAttempt(ref), this.location);
      if ((await client.query(SQL.insertReport, [...key, text, Date.now()])).rowCount) return true;
      // A concurrent insert of the same key waits for the first to commit, so the first report is here now.
      return (await client.query<{ result: string }>(SQL.getReport, key)).rows[0]?.result === text;
    });
  }

  async getAttemptReport(ref: AttemptRef): Promise<JobResult | undefined> {
    const { rows } = await this.query<{ result: string }>(`reading the report of ${describeAttempt(ref)}`, SQL.getReport, [ref.executionId, ref.nodeId, ref.attempt]);
    return rows[0] && (JSON.parse(rows[0].result) as JobResult);
  }

  // ---- cache ---------------------------------------------------------------

  async getCached(key: string): Promise<CacheEntry | undefined> {
    const { rows } = await this.query<CacheRow>(`reading cache entry ${key}`, SQL.getCached, [key]);
    return rows[0] && cacheFromRow(rows[0]);
  }

  async putCached(entry: CacheEntry): Promise<void> {
    await this.query(`recording cache entry ${entry.key}`, SQL.putCached, cacheValues(entry));
  }

  // ---- leases --------------------------------------------------------------

  async claimExecution(id: string, replicaId: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const { rowCount } = await this.query(`claiming execution ${id} for replica ${replicaId}`, SQL.claimExecution, [id, replicaId, now, now + leaseMs]);
    return rowCount === 1;
  }

  async renewLeases(replicaId: string, leaseMs: number): Promise<string[]> {
    const { rows } = await this.query<{ id: string }>(`renewing the leases of replica ${replicaId}`, SQL.renewLeases, [Date.now() + leaseMs, replicaId]);
    return rows.map((row) => row.id);
  }

  async releaseExecution(id: string, replicaId: string): Promise<void> {
    await this.query(`releasing execution ${id}`, SQL.releaseExecution, [id, replicaId]);
  }

  async getLease(id: string): Promise<ExecutionLease | undefined> {
    const { rows } = await this.query<ExecutionRow>(`reading the lease of execution ${id}`, SQL.getLease, [id]);
    return rows[0] && leaseFromRow(rows[0]);
  }

  async listClaimable(now: number, limit: number): Promise<ExecutionRecord[]> {
    const { rows } = await this.query<ExecutionRow>("listing executions to claim", SQL.listClaimable, [now, limit]);
    return rows.map(executionFromRow);
  }

  // ---- tokens and secrets --------------------------------------------------

  async insertToken(record: TokenRecord): Promise<void> {
    await this.query(`recording runner token ${record.id}`, SQL.insertToken, tokenValues(record));
  }

  async listTokens(): Promise<TokenRecord[]> {
    const { rows } = await this.query<TokenRow>("listing runner tokens", SQL.listTokens, []);
    return rows.map(tokenFromRow);
  }

  async revokeToken(id: string, at = Date.now()): Promise<void> {
    const { rowCount } = await this.query(`revoking runner token ${id}`, SQL.revokeToken, [at, id]);
    if (rowCount === 0) throw notFound(`runner token ${id}`, this.location);
  }

  async getOrCreateSecret(name: string, create: () => Buffer): Promise<Buffer> {
    const existing = (await this.query<{ value: Buffer }>(`reading secret ${name}`, SQL.getSecret, [name])).rows[0];
    if (existing) return existing.value;
    // Of replicas that insert at once, the first commit wins; the others' inserts do nothing and they read the winner.
    await this.query(`recording secret ${name}`, SQL.insertSecret, [name, create(), Date.now()]);
    return (await this.query<{ value: Buffer }>(`reading secret ${name}`, SQL.getSecret, [name])).rows[0]!.value;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  // ---- helpers -------------------------------------------------------------

  private async query<Row extends QueryResultRow = QueryResultRow>(doing: string, sql: string, values: unknown[]) {
    try {
      return await this.pool.query<Row>(sql, values);
    } catch (error) {
      throw postgresError(error, this.location, doing);
    }
  }

  /** Runs `body` on one connection, outside a transaction (each statement commits by itself). */
  private async withClient<T>(doing: string, body: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect(doing);
    let broken: Error | undefined;
    try {
      return await body(client);
    } catch (error) {
      if (isConnectionFailure(error)) broken = error as Error;
      throw postgresError(error, this.location, doing);
    } finally {
      client.release(broken);
    }
  }

  /** Runs `body` in one transaction on a connection of its own: all its writes commit together, or none. */
  private async transaction<T>(doing: string, body: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect(doing);
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await body(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      // A connection that cannot even roll back is dropped, not returned to the pool.
      await client.query("ROLLBACK").catch((rollback: Error) => (broken = rollback));
      throw postgresError(error, this.location, doing);
    } finally {
      client.release(broken);
    }
  }

  private async connect(doing: string): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw postgresError(error, this.location, doing);
    }
  }

  private async insertNodesWith(client: PoolClient, nodes: NodeRecord[]): Promise<void> {
    if (nodes.length) await client.query(SQL.insertNodes, nodeArrays(nodes));
  }

  private async patchNode(client: PoolClient, executionId: string, nodeId: string, patch: NodePatch): Promise<void> {
    const { shape, values } = encodeNodePatch(patch, postgresBoolean);
    const { rowCount } = shape === 0
      ? await client.query(SQL.nodeExists, [executionId, nodeId])
      : await client.query({ name: `node-update-${shape}`, text: nodeUpdateSql(shape, (i) => `$${i + 1}`), values: [...values, executionId, nodeId] });
    if (rowCount === 0) throw notFound(`node ${nodeId} of execution ${executionId}`, this.location);
  }
}

/** NODE_COLUMNS as one array each, for the unnest of SQL.insertNodes. */
function nodeArrays(nodes: NodeRecord[]): unknown[][] {
  const columns: unknown[][] = [];
  for (const node of nodes) {
    nodeValues(node, postgresBoolean).forEach((value, i) => (columns[i] ??= []).push(value));
  }
  return columns;
}
