/** `POST /api/v1/executions` (submit) and `POST /api/v1/executions/:id/cancel`. */
import type { StateStore } from "../store/state-store.ts";
import { canSee, executionNotFound, projectFor } from "./access.ts";
import { executionSummary } from "./execution-routes.ts";
import type { ExecutionHost } from "./execution-host.ts";
import { readJsonBody } from "./http-json.ts";
import { API_PREFIX, type CancelResponse, type SubmitResponse } from "./protocol.ts";
import type { Route } from "./router.ts";
import { parseSubmission } from "./submission.ts";

/** Graphs of large workflows and many interfaces make big bodies; data travels as blobs. */
const SUBMISSION_BODY_LIMIT = 32 * 1024 * 1024;

export function submissionRoutes(store: StateStore, host: ExecutionHost): Route[] {
  return [
    {
      method: "POST",
      path: `${API_PREFIX}/executions`,
      status: 201,
      handle: async ({ request, principal }): Promise<SubmitResponse> => {
        const submission = parseSubmission(await readJsonBody(request, SUBMISSION_BODY_LIMIT));
        const project = projectFor(principal, submission.project);
        const record = await host.submit(submission, project);
        return { executionId: record.id, project, domain: record.domain };
      },
    },
    {
      method: "POST",
      path: `${API_PREFIX}/executions/:id/cancel`,
      handle: async ({ params, principal }): Promise<CancelResponse> => {
        const id = params.id!;
        const execution = await store.getExecution(id);
        if (!execution || !canSee(principal, execution)) throw executionNotFound(id);
        const after = execution.status === "running" ? await host.cancel(id) : execution;
        return executionSummary(after ?? execution);
      },
    },
  ];
}
