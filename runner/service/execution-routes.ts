/** `GET /api/v1/executions` and `GET /api/v1/executions/:id`, read from the state store. */
import type { ExecutionRecord, ExecutionStatus, NodeRecord, StateStore } from "../store/state-store.ts";
import { canSee, executionNotFound, visibleProject } from "./access.ts";
import { ApiError } from "./api-error.ts";
import { API_PREFIX, scopeNameProblem, type ExecutionDetailResponse, type ExecutionListResponse, type ExecutionSummary, type NodeSummary } from "./protocol.ts";
import type { Route } from "./router.ts";

const STATUSES: readonly ExecutionStatus[] = ["running", "succeeded", "failed", "cancelled"];
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;

export function executionRoutes(store: StateStore): Route[] {
  return [
    {
      method: "GET",
      path: `${API_PREFIX}/executions`,
      handle: async ({ query, principal }): Promise<ExecutionListResponse> => {
        const project = visibleProject(principal);
        const options = { ...listOptions(query), ...(project === undefined ? {} : { project }) };
        return { executions: (await store.listExecutions(options)).map(executionSummary) };
      },
    },
    {
      method: "GET",
      path: `${API_PREFIX}/executions/:id`,
      handle: async ({ params, principal }): Promise<ExecutionDetailResponse> => {
        const id = params.id!;
        const execution = await store.getExecution(id);
        if (!execution || !canSee(principal, execution)) throw executionNotFound(id);
        return executionDetail(execution, await store.listNodes(id));
      },
    },
  ];
}

function listOptions(query: URLSearchParams): { limit: number; status?: ExecutionStatus; domain?: string } {
  for (const name of new Set(query.keys())) {
    if (name !== "limit" && name !== "status" && name !== "domain") {
      throw new ApiError(400, "BAD_QUERY", `${API_PREFIX}/executions takes the query parameters limit, status and domain, not "${name}"`);
    }
  }
  const limitText = query.get("limit");
  let limit = DEFAULT_LIMIT;
  if (limitText !== null) {
    limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIMIT) {
      throw new ApiError(400, "BAD_QUERY", `limit must be a whole number from 1 to ${MAX_LIMIT}, got "${limitText}"`);
    }
  }
  const options: { limit: number; status?: ExecutionStatus; domain?: string } = { limit };
  const status = query.get("status");
  if (status !== null) {
    if (!STATUSES.includes(status as ExecutionStatus)) {
      throw new ApiError(400, "BAD_QUERY", `status must be one of ${STATUSES.join(", ")}, got "${status}"`);
    }
    options.status = status as ExecutionStatus;
  }
  const domain = query.get("domain");
  if (domain !== null) {
    const problem = scopeNameProblem("domain", domain);
    if (problem) throw new ApiError(400, "BAD_QUERY", problem);
    options.domain = domain;
  }
  return options;
}

export function executionSummary(e: ExecutionRecord): ExecutionSummary {
  return {
    executionId: e.id,
    project: e.project,
    domain: e.domain,
    entity: e.entity,
    kind: e.kind,
    file: e.file,
    status: e.status,
    createdAt: isoOrNull(e.createdAt)!,
    endedAt: isoOrNull(e.endedAt),
  };
}

export function executionDetail(e: ExecutionRecord, nodes: NodeRecord[]): ExecutionDetailResponse {
  // Only a submission's bundle is a blob (bundleHash its digest); a local run's is a path on another machine.
  const bundle = e.descriptor ? { code: e.bundleHash, ...(e.sourceMap ? { sourceMap: e.sourceMap } : {}) } : null;
  return { ...executionSummary(e), inputs: e.inputs, outputs: e.outputs ?? null, error: e.error ?? null, nodes: nodes.map(nodeSummary), bundle };
}

export function nodeSummary(n: NodeRecord): NodeSummary {
  return {
    id: n.id,
    parentId: n.parentId,
    entity: n.entity,
    kind: n.kind,
    status: n.status,
    cached: n.cached,
    attempts: n.attempts,
    startedAt: isoOrNull(n.startedAt),
    endedAt: isoOrNull(n.endedAt),
    outputs: n.outputs ?? null,
    error: n.error ?? null,
    inputs: n.inputs ?? null,
  };
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
