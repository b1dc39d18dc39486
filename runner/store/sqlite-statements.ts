/** The SQL of the state store, prepared once per connection and reused by every call. */
import type { Database } from "better-sqlite3";

export type Statements = ReturnType<typeof prepareStatements>;

export function prepareStatements(db: Database) {
  return {
    insertExecution: db.prepare(
      `INSERT INTO executions (id, file, entity, kind, bundle_hash, bundle_path, interfaces, status, inputs, outputs, error, created_at, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateExecution: db.prepare(
      `UPDATE executions SET status = COALESCE(?, status), outputs = COALESCE(?, outputs),
         error = COALESCE(?, error), ended_at = COALESCE(?, ended_at) WHERE id = ?`,
    ),
    getExecution: db.prepare("SELECT * FROM executions WHERE id = ?"),
    listExecutions: db.prepare("SELECT * FROM executions ORDER BY created_at DESC, rowid DESC LIMIT ?"),
    listExecutionsByStatus: db.prepare("SELECT * FROM executions WHERE status = ? ORDER BY created_at DESC, rowid DESC LIMIT ?"),
    insertNode: db.prepare(
      `INSERT INTO nodes (execution_id, id, parent_id, entity, kind, status, inputs, outputs, error, graph, cache_key, cached, attempts, started_at, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    getNode: db.prepare("SELECT * FROM nodes WHERE execution_id = ? AND id = ?"),
    listNodes: db.prepare("SELECT * FROM nodes WHERE execution_id = ? ORDER BY seq"),
    insertAttempt: db.prepare(
      `INSERT INTO attempts (execution_id, node_id, attempt, status, worker_pid, log_path, error, started_at, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    finishAttempt: db.prepare(
      `UPDATE attempts SET status = ?, ended_at = COALESCE(?, ended_at), error = COALESCE(?, error)
       WHERE execution_id = ? AND node_id = ? AND attempt = ?`,
    ),
    listAttempts: db.prepare("SELECT * FROM attempts WHERE execution_id = ? ORDER BY seq"),
    listNodeAttempts: db.prepare("SELECT * FROM attempts WHERE execution_id = ? AND node_id = ? ORDER BY attempt"),
    getCached: db.prepare("SELECT * FROM cache WHERE key = ?"),
    putCached: db.prepare(
      "INSERT OR REPLACE INTO cache (key, entity, outputs, execution_id, node_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    insertToken: db.prepare(
      "INSERT INTO runner_tokens (id, hash, scope, project, description, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ),
    listTokens: db.prepare("SELECT * FROM runner_tokens WHERE revoked_at IS NULL ORDER BY created_at, rowid"),
  };
}
