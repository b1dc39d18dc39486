/** The SQL of the PostgreSQL state store ($n parameters; the same tables as SQLite's). */
import { ATTEMPT_COLUMNS, EXECUTION_COLUMNS, NODE_COLUMNS } from "./store-rows.ts";

const params = (count: number, from = 1) => Array.from({ length: count }, (_, i) => `$${i + from}`).join(", ");

/** Array types of NODE_COLUMNS, in order, for inserting many nodes with one unnest. */
const NODE_ARRAY_TYPES = ["text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "boolean", "integer", "bigint", "bigint"];
const nodeColumnAliases = NODE_ARRAY_TYPES.map((_, i) => `c${i}`).join(", ");

export const SQL = {
  insertExecution: `INSERT INTO executions (${EXECUTION_COLUMNS}) VALUES (${params(EXECUTION_COLUMNS.split(",").length)})`,
  updateExecution: `UPDATE executions SET status = COALESCE($1, status), outputs = COALESCE($2, outputs),
    error = COALESCE($3, error), ended_at = COALESCE($4, ended_at) WHERE id = $5`,
  endExecution: `UPDATE executions SET status = $1, outputs = COALESCE($2, outputs), error = COALESCE($3, error), ended_at = $4
    WHERE id = $5 AND status = 'running'`,
  closeAttemptsOfEnded: "UPDATE attempts SET status = 'failed', ended_at = $1, error = COALESCE($2, error) WHERE execution_id = $3 AND status = 'running'",
  skipUnfinishedNodes: "UPDATE nodes SET status = 'skipped', ended_at = $1 WHERE execution_id = $2 AND status IN ('pending', 'running')",
  requestCancel: "UPDATE executions SET cancel_requested_at = COALESCE(cancel_requested_at, $1) WHERE id = $2 AND status = 'running'",
  getExecution: "SELECT * FROM executions WHERE id = $1",
  executionExists: "SELECT 1 FROM executions WHERE id = $1",
  /** Many nodes in one statement, in the order given (seq follows the arrays). */
  insertNodes: `INSERT INTO nodes (${NODE_COLUMNS})
    SELECT ${nodeColumnAliases} FROM unnest(${NODE_ARRAY_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(", ")})
    WITH ORDINALITY AS u(${nodeColumnAliases}, n) ORDER BY n`,
  getNode: "SELECT * FROM nodes WHERE execution_id = $1 AND id = $2",
  nodeExists: "SELECT 1 FROM nodes WHERE execution_id = $1 AND id = $2",
  listNodes: "SELECT * FROM nodes WHERE execution_id = $1 ORDER BY seq",
  /** Locks the execution's row against a concurrent claim until the attempt is in. */
  holdsLease: "SELECT 1 FROM executions WHERE id = $1 AND lease_owner = $2 AND lease_expires_at > $3 FOR SHARE",
  insertAttempt: `INSERT INTO attempts (${ATTEMPT_COLUMNS}) VALUES (${params(9)}) ON CONFLICT (execution_id, node_id, attempt) DO NOTHING`,
  attemptExists: "SELECT 1 FROM attempts WHERE execution_id = $1 AND node_id = $2 AND attempt = $3",
  markNodeRunning: "UPDATE nodes SET status = 'running', attempts = $1, started_at = COALESCE(started_at, $2) WHERE execution_id = $3 AND id = $4",
  finishAttempt: `UPDATE attempts SET status = $1, ended_at = $2, error = COALESCE($3, error)
    WHERE execution_id = $4 AND node_id = $5 AND attempt = $6`,
  runningAttempts: "SELECT * FROM attempts WHERE execution_id = $1 AND status = 'running' ORDER BY seq FOR UPDATE",
  listAttempts: "SELECT * FROM attempts WHERE execution_id = $1 ORDER BY seq",
  listNodeAttempts: "SELECT * FROM attempts WHERE execution_id = $1 AND node_id = $2 ORDER BY attempt",
  insertReport: `INSERT INTO attempt_reports (execution_id, node_id, attempt, result, reported_at) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (execution_id, node_id, attempt) DO NOTHING`,
  getReport: "SELECT result FROM attempt_reports WHERE execution_id = $1 AND node_id = $2 AND attempt = $3",
  getCached: "SELECT * FROM cache WHERE key = $1",
  putCached: `INSERT INTO cache (key, entity, outputs, execution_id, node_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (key) DO UPDATE SET entity = excluded.entity, outputs = excluded.outputs, execution_id = excluded.execution_id,
      node_id = excluded.node_id, created_at = excluded.created_at`,
  /**
   * One statement, so it is atomic: a concurrent claim waits for the row
   * lock, then sees the new owner in its WHERE and takes nothing.
   */
  claimExecution: `UPDATE executions SET lease_owner = $2, lease_expires_at = $4,
      lease_epoch = lease_epoch + (CASE WHEN lease_owner IS NOT DISTINCT FROM $2 THEN 0 ELSE 1 END)
    WHERE id = $1 AND (lease_owner IS NULL OR lease_owner = $2 OR lease_expires_at <= $3)`,
  renewLeases: "UPDATE executions SET lease_expires_at = $1 WHERE lease_owner = $2 RETURNING id",
  releaseExecution: "UPDATE executions SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2",
  getLease: "SELECT lease_owner, lease_expires_at, lease_epoch FROM executions WHERE id = $1",
  listClaimable: `SELECT * FROM executions WHERE status = 'running' AND (lease_owner IS NULL OR lease_expires_at <= $1)
    ORDER BY created_at, seq LIMIT $2`,
  insertToken: "INSERT INTO runner_tokens (id, hash, scope, project, description, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
  listTokens: "SELECT * FROM runner_tokens WHERE revoked_at IS NULL ORDER BY created_at, seq",
  revokeToken: "UPDATE runner_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2",
  insertSecret: "INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
  getSecret: "SELECT value FROM secrets WHERE name = $1",
} as const;

/** `SELECT * FROM executions` with the filters given, newest first; parameters in the order of the filters, then the limit. */
export function listExecutionsSql(filters: readonly string[]): string {
  const where = filters.map((column, i) => `${column} = $${i + 1}`).join(" AND ");
  return `SELECT * FROM executions ${where ? `WHERE ${where}` : ""} ORDER BY created_at DESC, seq DESC LIMIT $${filters.length + 1}`;
}
