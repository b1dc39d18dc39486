/**
 * The PostgreSQL schema and its migrations. The one row of `aloft_schema`
 * records the version; each migration moves one version forward, in the
 * transaction that holds an advisory lock, so replicas starting at once
 * migrate once. The columns match SQLite's (store-rows.ts reads both);
 * JSON is text, so values come back byte for byte as they went in.
 */
import type { PoolClient } from "pg";
import { AloftError } from "../../compiler/errors.ts";

const MIGRATIONS: string[] = [
  `
  CREATE TABLE executions (
    seq BIGSERIAL NOT NULL,
    id TEXT PRIMARY KEY,
    project TEXT NOT NULL DEFAULT 'default',
    file TEXT NOT NULL,
    entity TEXT NOT NULL,
    kind TEXT NOT NULL,
    bundle_hash TEXT NOT NULL,
    bundle_path TEXT NOT NULL,
    interfaces TEXT NOT NULL,
    status TEXT NOT NULL,
    inputs TEXT NOT NULL,
    outputs TEXT,
    error TEXT,
    descriptor TEXT,
    source_map TEXT,
    cancel_requested_at BIGINT,
    created_at BIGINT NOT NULL,
    ended_at BIGINT,
    lease_owner TEXT,
    lease_expires_at BIGINT,
    lease_epoch INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX executions_by_time ON executions (created_at DESC, seq DESC);
  CREATE INDEX executions_by_project ON executions (project, created_at DESC);
  CREATE INDEX executions_by_status ON executions (status, created_at);
  CREATE INDEX executions_by_lease_owner ON executions (lease_owner);
  CREATE TABLE nodes (
    seq BIGSERIAL PRIMARY KEY,
    execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    parent_id TEXT,
    entity TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    inputs TEXT,
    outputs TEXT,
    error TEXT,
    graph TEXT,
    cache_key TEXT,
    cached BOOLEAN NOT NULL DEFAULT FALSE,
    attempts INTEGER NOT NULL DEFAULT 0,
    started_at BIGINT,
    ended_at BIGINT,
    UNIQUE (execution_id, id)
  );
  CREATE TABLE attempts (
    seq BIGSERIAL PRIMARY KEY,
    execution_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL,
    worker_pid INTEGER,
    log_path TEXT NOT NULL,
    error TEXT,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    UNIQUE (execution_id, node_id, attempt),
    FOREIGN KEY (execution_id, node_id) REFERENCES nodes (execution_id, id) ON DELETE CASCADE
  );
  CREATE INDEX attempts_running ON attempts (execution_id) WHERE status = 'running';
  CREATE TABLE attempt_reports (
    execution_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    result TEXT NOT NULL,
    reported_at BIGINT NOT NULL,
    PRIMARY KEY (execution_id, node_id, attempt),
    FOREIGN KEY (execution_id, node_id, attempt) REFERENCES attempts (execution_id, node_id, attempt) ON DELETE CASCADE
  );
  CREATE TABLE cache (
    key TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    outputs TEXT NOT NULL,
    execution_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE TABLE runner_tokens (
    seq BIGSERIAL NOT NULL,
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    project TEXT,
    description TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
  );
  CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL,
    created_at BIGINT NOT NULL
  );
  `,
  // Domains: executions from before them ran in development, where Flyte puts what names no domain.
  `
  ALTER TABLE executions ADD COLUMN domain TEXT NOT NULL DEFAULT 'development';
  CREATE INDEX executions_by_domain ON executions (project, domain, created_at DESC);
  `,
];

export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the tables of the connection's schema (`schema`, made if missing,
 * or the first of its search_path) to this aloft's version.
 */
export async function migrate(client: PoolClient, location: string, schema: string | undefined): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`aloft schema migration ${schema ?? ""}`]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const where = (await client.query<{ schema: string | null }>("SELECT current_schema() AS schema")).rows[0]?.schema;
    if (!where) {
      throw new AloftError({
        code: "STORE_NO_SCHEMA",
        kind: "system",
        message: `the PostgreSQL database ${location} has no schema on the connection's search_path to keep aloft's tables in; add ?schema=NAME to the URL`,
      });
    }
    const found = (await client.query<{ versioned: boolean; executions: boolean }>(
      `SELECT to_regclass(format('%I.aloft_schema', $1::text)) IS NOT NULL AS versioned,
              to_regclass(format('%I.executions', $1::text)) IS NOT NULL AS executions`,
      [where],
    )).rows[0]!;
    if (!found.versioned && found.executions) {
      throw new AloftError({
        code: "STORE_NOT_ALOFT",
        kind: "system",
        message: `schema "${where}" of the PostgreSQL database ${location} has an executions table that aloft did not create; name another schema with ?schema=NAME in the URL`,
      });
    }
    if (!found.versioned) {
      await client.query("CREATE TABLE aloft_schema (version INTEGER NOT NULL)");
      await client.query("INSERT INTO aloft_schema (version) VALUES (0)");
    }
    const current = (await client.query<{ version: number }>("SELECT version FROM aloft_schema")).rows[0]?.version ?? 0;
    if (current > POSTGRES_SCHEMA_VERSION) {
      throw new AloftError({
        code: "STORE_TOO_NEW",
        kind: "system",
        message: `the PostgreSQL database ${location} (schema "${where}") was written by a newer aloft (schema version ${current}, this one knows ${POSTGRES_SCHEMA_VERSION}); upgrade aloft, or name another schema with ?schema=NAME`,
      });
    }
    for (let version = current; version < POSTGRES_SCHEMA_VERSION; version++) {
      await client.query(MIGRATIONS[version]!);
      await client.query("UPDATE aloft_schema SET version = $1", [version + 1]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
