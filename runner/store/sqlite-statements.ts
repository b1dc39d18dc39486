/** The SQL of the SQLite state store, prepared once per connection and reused by every call. */
import type { Database } from "better-sqlite3";
import { ATTEMPT_COLUMNS, EXECUTION_COLUMNS, NODE_COLUMNS } from "./store-rows.ts";

export type Statements = ReturnType<typeof prepareStatements>;

const params = (count: number) => Array.from({ length: count }, () => "?").join(", ");

export function prepareStatements(db: Database) {
  return {
    insertExecution: db.prepare(`INSERT INTO executions (${EXECUTION_COLUMNS}) VALUES (${params(EXECUTION_COLUMNS.split(",").length)})`),
    updateExecution: db.prepare(
      `UPDATE executions SET status = COALESCE(?, status), outputs = COALESCE(?, outputs),
         error = COALESCE(?, error), ended_at = COALESCE(?, ended_at) WHERE id = ?`,
    ),
    endExecution: db.prepare(
      "UPDATE executions SET status = ?, outputs = COALESCE(?, outputs), error = COALESCE(?, error), ended_at = ? WHERE id = ? AND status = 'running'",
    ),
    closeAttemptsOfEnded: db.prepare("UPDATE attempts SET status = 'failed', ended_at = ?, error = COALESCE(?, error) WHERE execution_id = ? AND status = 'running'"),
    skipUnfinishedNodes: db.prepare("UPDATE nodes SET status = 'skipped', ended_at = ? WHERE execution_id = ? AND status IN ('pending', 'running')"),
    requestCancel: db.prepare("UPDATE executions SET cancel_requested_at = COALESCE(cancel_requested_at, ?) WHERE id = ? AND status = 'running'"),
    getExecution: db.prepare("SELECT * FROM executions WHERE id = ?"),
    executionStatus: db.prepare("SELECT status FROM executions WHERE id = ?"),
    insertNode: db.prepare(`INSERT INTO nodes (${NODE_COLUMNS}) VALUES (${params(15)})`),
    getNode: db.prepare("SELECT * FROM nodes WHERE execution_id = ? AND id = ?"),
    listNodes: db.prepare("SELECT * FROM nodes WHERE execution_id = ? ORDER BY seq"),
    insertAttempt: db.prepare(`INSERT INTO attempts (${ATTEMPT_COLUMNS}) VALUES (${params(9)})`),
    attemptExists: db.prepare("SELECT 1 FROM attempts WHERE execution_id = ? AND node_id = ? AND attempt = ?"),
    markNodeRunning: db.prepare("UPDATE nodes SET status = 'running', attempts = ?, started_at = COALESCE(started_at, ?) WHERE execution_id = ? AND id = ?"),
    finishAttempt: db.prepare(
      `UPDATE attempts SET status = ?, ended_at = ?, error = COALESCE(?, error)
       WHERE execution_id = ? AND node_id = ? AND attempt = ?`,
    ),
    runningAttempts: db.prepare("SELECT * FROM attempts WHERE execution_id = ? AND status = 'running' ORDER BY seq"),
    listAttempts: db.prepare("SELECT * FROM attempts WHERE execution_id = ? ORDER BY seq"),
    listNodeAttempts: db.prepare("SELECT * FROM attempts WHERE execution_id = ? AND node_id = ? ORDER BY attempt"),
    insertReport: db.prepare("INSERT OR IGNORE INTO attempt_reports (execution_id, node_id, attempt, result, reported_at) VALUES (?, ?, ?, ?, ?)"),
    getReport: db.prepare("SELECT result FROM attempt_reports WHERE execution_id = ? AND node_id = ? AND attempt = ?"),
    getCached: db.prepare("SELECT * FROM cache WHERE key = ?"),
    putCached: db.prepare(
      "INSERT OR REPLACE INTO cache (key, entity, outputs, execution_id, node_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    claimExecution: db.prepare(
      `UPDATE executions SET lease_owner = @replica, lease_expires_at = @expires,
         lease_epoch = lease_epoch + (CASE WHEN lease_owner IS @replica THEN 0 ELSE 1 END)
       WHERE id = @id AND (lease_owner IS NULL OR lease_owner = @replica OR lease_expires_at <= @now)`,
    ),
    renewLeases: db.prepare("UPDATE executions SET lease_expires_at = ? WHERE lease_owner = ? RETURNING id"),
    releaseExecution: db.prepare("UPDATE executions SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND lease_owner = ?"),
    getLease: db.prepare("SELECT lease_owner, lease_expires_at, lease_epoch FROM executions WHERE id = ?"),
    holdsLease: db.prepare("SELECT 1 FROM executions WHERE id = ? AND lease_owner = ? AND lease_expires_at > ?"),
    listClaimable: db.prepare(
      "SELECT * FROM executions WHERE status = 'running' AND (lease_owner IS NULL OR lease_expires_at <= ?) ORDER BY created_at, rowid LIMIT ?",
    ),
    insertToken: db.prepare(
      "INSERT INTO runner_tokens (id, hash, scope, project, description, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ),
    listTokens: db.prepare("SELECT * FROM runner_tokens WHERE revoked_at IS NULL ORDER BY created_at, rowid"),
    revokeToken: db.prepare("UPDATE runner_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?"),
    insertSecret: db.prepare("INSERT OR IGNORE INTO secrets (name, value, created_at) VALUES (?, ?, ?)"),
    getSecret: db.prepare("SELECT value FROM secrets WHERE name = ?"),
  };
}
