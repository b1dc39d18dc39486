/**
 * The runner service's HTTP API as its clients see it: paths, response bodies
 * and error codes. The CLI's `--remote`, the editor and the service import
 * these shapes, and nothing else of each other.
 */
import type { ErrorInfo } from "../../compiler/errors.ts";
import type { WireValue } from "../data/wire.ts";
import type { ExecutionStatus, NodeStatus } from "../store/state-store.ts";

export const API_PREFIX = "/api/v1";
export const DEFAULT_RUNNER_PORT = 7878;

/** `GET /healthz`, the one route that wants no token. */
export interface HealthResponse {
  ok: true;
  version: string;
}

export type ApiErrorCode =
  | "ROUTE_NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "UNAUTHENTICATED"
  | "BAD_QUERY"
  | "BAD_JSON"
  | "BODY_TOO_LARGE"
  | "EXECUTION_NOT_FOUND"
  | "STORE_UNAVAILABLE"
  | "INTERNAL";

/** Every error response, whatever the status. */
export interface ErrorResponse {
  error: { code: ApiErrorCode | string; message: string };
}

/** Wire values are sent as stored: files and dirs by digest, since a client's paths are not the runner's. */
export interface ExecutionSummary {
  executionId: string;
  entity: string;
  kind: "task" | "workflow" | "dynamic";
  file: string;
  status: ExecutionStatus;
  /** ISO 8601. */
  createdAt: string;
  endedAt: string | null;
}

export interface NodeSummary {
  id: string;
  parentId: string | null;
  entity: string;
  kind: string;
  status: NodeStatus;
  cached: boolean;
  attempts: number;
  startedAt: string | null;
  endedAt: string | null;
  outputs: WireValue | null;
  error: ErrorInfo | null;
}

/** `GET /api/v1/executions?limit=N&status=S`, newest first. */
export interface ExecutionListResponse {
  executions: ExecutionSummary[];
}

/** `GET /api/v1/executions/:id` */
export interface ExecutionDetailResponse extends ExecutionSummary {
  inputs: Record<string, WireValue>;
  outputs: WireValue | null;
  error: ErrorInfo | null;
  nodes: NodeSummary[];
}
