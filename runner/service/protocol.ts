/**
 * The runner service's HTTP API as its clients see it: paths, response bodies
 * and error codes. The CLI's `--remote`, the editor and the service import
 * these shapes, and nothing else of each other.
 */
import type { ErrorInfo } from "../../compiler/errors.ts";
import type { Graph } from "../../compiler/graph.ts";
import type { EntityInterface } from "../../compiler/type-spec.ts";
import type { WireValue } from "../data/wire.ts";
import type { Job } from "../engine/executor.ts";
import type { AttemptRef, EntityDescription, JobResult } from "../worker/protocol.ts";
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
  | "FORBIDDEN"
  | "BAD_SUBMISSION"
  | "BLOB_MISSING"
  | "DIGEST_MISMATCH"
  | "DIGEST_INVALID"
  | "ENTITY_NOT_FOUND"
  | "INPUT_INVALID"
  | "ATTEMPT_TOKEN_MISMATCH"
  | "ATTEMPT_FINISHED"
  | "TOKEN_NOT_FOUND"
  | "INTERNAL";

/** Every error response, whatever the status. */
export interface ErrorResponse {
  error: { code: ApiErrorCode | string; message: string };
}

/** Wire values are sent as stored: files and dirs by digest, since a client's paths are not the runner's. */
export interface ExecutionSummary {
  executionId: string;
  project: string;
  /** `development` unless the submission named another. */
  domain: string;
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
  /** The resolved inputs, recorded before the first attempt (what `aloft debug ID NODE --local` replays); absent from older runners. */
  inputs?: Record<string, WireValue> | null;
}

/** `GET /api/v1/executions?limit=N&status=S&domain=D`, newest first. */
export interface ExecutionListResponse {
  executions: ExecutionSummary[];
}

/** `GET /api/v1/executions/:id` */
export interface ExecutionDetailResponse extends ExecutionSummary {
  inputs: Record<string, WireValue>;
  outputs: WireValue | null;
  error: ErrorInfo | null;
  nodes: NodeSummary[];
  /**
   * Digests of the submitted bundle and its source map, readable as blobs by
   * the execution's project; null for an execution not submitted to a runner
   * (a local run recorded in the same database). Absent from older runners.
   */
  bundle?: { code: string; sourceMap?: string } | null;
}

// ---- Uploads: content-addressed, so an unchanged file is never sent twice ----

/** `POST /api/v1/blobs/missing`: which of these digests the runner does not hold (or this project may not read). */
export interface MissingBlobsRequest {
  digests: string[];
}
export interface MissingBlobsResponse {
  missing: string[];
}
/** `PUT /api/v1/blobs/:digest` with the raw bytes (`application/octet-stream`); refused unless they hash to `:digest`. */
export interface BlobPutResponse {
  digest: string;
  size: number;
  /** The runner held these bytes already. */
  existed: boolean;
}
/** Largest blob one PUT takes. */
export const MAX_BLOB_BYTES = 8 * 1024 * 1024 * 1024;

// ---- Submission ----

/** `POST /api/v1/executions`: run an entity of an uploaded bundle. */
export interface SubmitRequest {
  /** Defaults to the token's project (or "default" for an admin token). */
  project?: string;
  /** Defaults to "development". */
  domain?: string;
  /** The workflow file as the client names it; shown, never opened by the runner. */
  file: string;
  entity: string;
  /** Digests of the uploaded bundle (`bundle.mjs`) and its source map. */
  bundle: { code: string; sourceMap?: string };
  /** Interfaces of every entity the bundle exports, as the checker read them. */
  interfaces: Record<string, EntityInterface>;
  /** What the bundle exports, as its worker described it. */
  entities: EntityDescription[];
  /** The traced graph of every workflow the bundle exports (workflow bodies run once, on the client). */
  graphs: Record<string, Graph>;
  inputs: Record<string, WireValue>;
  /** Pause one attempt before its code runs, for a debugger: a node id, or a task's or dynamic's name (its first node). */
  debug?: { node: string };
}
export interface SubmitResponse {
  executionId: string;
  project: string;
  domain: string;
}

/** What a project or domain may be called; clients check their flags and settings with it before they submit. */
const SCOPE_NAME = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;

/** Why `value` cannot name a project or domain, with `what` (a field, a flag, a setting) named; undefined when it can. */
export function scopeNameProblem(what: string, value: unknown): string | undefined {
  if (typeof value === "string" && SCOPE_NAME.test(value)) return undefined;
  return `${what} must be 1 to 63 lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit; got ${JSON.stringify(value)}`;
}

/** `POST /api/v1/executions/:id/cancel` answers with the execution as it is after the request. */
export type CancelResponse = ExecutionSummary;

// ---- Streams (WebSocket) ----

/**
 * `GET /api/v1/executions/:id/events` (WebSocket; `?logs=1` adds live log chunks).
 * First a snapshot, then every change, then `end` once the execution has finished.
 */
export type EventMessage =
  | { type: "snapshot"; execution: ExecutionDetailResponse }
  | { type: "execution"; execution: ExecutionSummary & { outputs: WireValue | null; error: ErrorInfo | null } }
  | { type: "node"; executionId: string; node: NodeSummary }
  | { type: "map-progress"; executionId: string; nodeId: string; total: number; succeeded: number; failed: number; running: number }
  | LogMessage
  | DebuggerMessage
  | { type: "end"; execution: ExecutionDetailResponse }
  /** The stream cannot go on (the execution was deleted, the runner is stopping). */
  | { type: "error"; error: ErrorResponse["error"] };

/**
 * An attempt submitted with `debug` is paused before its code runs, its
 * inspector reachable through `GET /api/v1/executions/:id/debugger?node=ID`
 * (WebSocket: the bytes of one TCP connection to the inspector, both ways,
 * as binary messages). `GET /api/v1/executions/:id/debuggers` lists them.
 */
export interface DebuggerMessage {
  type: "debugger";
  executionId: string;
  nodeId: string;
  entity: string;
  attempt: number;
  /** The inspector's WebSocket path (`/<uuid>`): a debugger attaches to `ws://HOST:PORT<path>` through the tunnel. */
  inspectorPath: string;
  /** The bundle's path where the attempt runs; a debugger maps its folder to the local copy of the bundle. */
  bundlePath: string;
}
export interface DebuggersResponse {
  debuggers: Omit<DebuggerMessage, "type">[];
}

/**
 * `GET /api/v1/executions/:id/logs` (WebSocket; `?node=ID` for one node, `?follow=1` to stay
 * until the execution ends): every stored chunk in order, then live ones, then `end`.
 */
export type LogStreamMessage = LogMessage | { type: "end"; status: ExecutionStatus } | { type: "error"; error: ErrorResponse["error"] };

export interface LogMessage {
  type: "log";
  executionId: string;
  nodeId: string;
  attempt: number;
  stream: "stdout" | "stderr";
  text: string;
  /** Milliseconds since the epoch, when the runner received it. */
  t: number;
}

// ---- Tokens (admin only) ----

/** `POST /api/v1/tokens` */
export interface CreateTokenRequest {
  project: string;
  description?: string;
}
export interface CreateTokenResponse {
  id: string;
  project: string;
  /** The only time the token is shown; the runner keeps its hash. */
  token: string;
}
/** `GET /api/v1/tokens` */
export interface TokenListResponse {
  tokens: { id: string; scope: "admin" | "project"; project: string | null; description: string; createdAt: string }[];
}

// ---- A pod's agent, with a token scoped to one attempt ----

/** `GET /api/v1/attempts/:attempt`: what the attempt runs. */
export interface AttemptSpec {
  job: Extract<Job, { type: "run" } | { type: "expand" }>;
  bundle: { code: string; sourceMap?: string };
  /** Every blob the job's inputs need (files, dir manifests and their files). */
  blobs: string[];
  /** How long the token this was fetched with stays valid, from the runner's answer: renew it before (`AttemptTokenRenewal`). */
  tokenExpiresInMs: number;
}
/** `POST /api/v1/attempts/:attempt/token`: a fresh token for an attempt still running, asked with the current one. */
export interface AttemptTokenRenewal {
  token: string;
  expiresInMs: number;
}
/** `POST /api/v1/attempts/:attempt/result` */
export interface AttemptResultRequest {
  result: JobResult;
}

/** An attempt as one path segment: `<execution>~<attempt>~<node>`, percent-encoded by the client. */
export function attemptKey(ref: AttemptRef): string {
  return `${ref.executionId}~${ref.attempt}~${ref.nodeId}`;
}

export function parseAttemptKey(key: string): AttemptRef | undefined {
  const match = /^([0-9a-z]+)~(\d+)~(.+)$/.exec(key);
  if (!match) return undefined;
  return { executionId: match[1]!, attempt: Number(match[2]), nodeId: match[3]! };
}

/** Environment a pod's agent reads. */
export const AGENT_ENV = { runner: "ALOFT_RUNNER", token: "ALOFT_ATTEMPT_TOKEN", attempt: "ALOFT_ATTEMPT", debug: "ALOFT_DEBUG" } as const;
