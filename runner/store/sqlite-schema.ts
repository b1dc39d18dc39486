/**
 * The SQLite schema and its migrations. `PRAGMA user_version` records the
 * version; each migration moves one version forward, in one transaction.
 */
import type Database from "better-sqlite3";
import { AloftError } from "../../compiler/errors.ts";

const MIGRATIONS: string[] = [
  `
  CREATE TABLE executions (
    id TEXT PRIMARY KEY,
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
    created_at INTEGER NOT NULL,
    ended_at INTEGER
  );
  CREATE INDEX executions_by_time ON executions (created_at DESC);
  CREATE TABLE nodes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
    cached INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER,
    ended_at INTEGER,
    UNIQUE (execution_id, id)
  );
  CREATE TABLE attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL,
    worker_pid INTEGER,
    log_path TEXT NOT NULL,
    error TEXT,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    UNIQUE (execution_id, node_id, attempt),
    FOREIGN KEY (execution_id, node_id) REFERENCES nodes (execution_id, id) ON DELETE CASCADE
  );
  CREATE TABLE cache (
    key TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    outputs TEXT NOT NULL,
    execution_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  // Bearer tokens of the runner service: only their SHA-256 hashes, never the tokens.
  `
  CREATE TABLE runner_tokens (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    project TEXT,
    description TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  `,
  // Projects, leases of runner replicas, cancellation requests, remote attempts' reports, shared secrets.
  `
  ALTER TABLE executions ADD COLUMN project TEXT NOT NULL DEFAULT 'default';
  ALTER TABLE executions ADD COLUMN descriptor TEXT;
  ALTER TABLE executions ADD COLUMN source_map TEXT;
  ALTER TABLE executions ADD COLUMN cancel_requested_at INTEGER;
  ALTER TABLE executions ADD COLUMN lease_owner TEXT;
  ALTER TABLE executions ADD COLUMN lease_expires_at INTEGER;
  ALTER TABLE executions ADD COLUMN lease_epoch INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX executions_by_project ON executions (project, created_at DESC);
  CREATE INDEX executions_by_status ON executions (status, created_at);
  CREATE INDEX executions_by_lease_owner ON executions (lease_owner);
  CREATE TABLE attempt_reports (
    execution_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    result TEXT NOT NULL,
    reported_at INTEGER NOT NULL,
    PRIMARY KEY (execution_id, node_id, attempt),
    FOREIGN KEY (execution_id, node_id, attempt) REFERENCES attempts (execution_id, node_id, attempt) ON DELETE CASCADE
  );
  CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  // Domains: executions from before them ran in development, where Flyte puts what names no domain.
  `
  ALTER TABLE executions ADD COLUMN domain TEXT NOT NULL DEFAULT 'development';
  CREATE INDEX executions_by_domain ON executions (project, domain, created_at DESC);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database, path: string): void {
  if (versionOf(db, path) === SCHEMA_VERSION) return;
  // Each step reads the version again under the write lock (BEGIN IMMEDIATE): processes opening a
  // new workspace at the same moment would otherwise all find version 0 and create the tables twice.
  const step = db.transaction((): boolean => {
    const current = versionOf(db, path);
    if (current === SCHEMA_VERSION) return false;
    db.exec(MIGRATIONS[current]!);
    db.pragma(`user_version = ${current + 1}`);
    return true;
  });
  while (step.immediate()) {
    // One migration per transaction, until the schema is current.
  }
}

/** The schema version of the database, refusing one too new or not aloft's. */
function versionOf(db: Database.Database, path: string): number {
  // One statement, so one snapshot: read apart, another process's first migration could commit
  // between the two, and its tables look like a stranger's database still at version 0.
  const { current, tables } = db
    .prepare("SELECT (SELECT user_version FROM pragma_user_version) AS current, (SELECT count(*) FROM sqlite_master WHERE type = 'table') AS tables")
    .get() as { current: number; tables: number };
  if (current > SCHEMA_VERSION) {
    throw new AloftError({
      code: "STORE_TOO_NEW",
      kind: "system",
      message: `the state database ${path} was written by a newer aloft (schema version ${current}, this one knows ${SCHEMA_VERSION}); upgrade aloft, or move the database aside`,
    });
  }
  if (current === 0 && tables > 0) {
    throw new AloftError({
      code: "STORE_NOT_ALOFT",
      kind: "system",
      message: `${path} is a SQLite database that aloft did not create; point aloft at another workspace or move the file aside`,
    });
  }
  return current;
}
