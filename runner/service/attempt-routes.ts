/**
 * The routes a pod's agent uses, each opened only by the token of that very
 * attempt: what to run, the agent's own code, the blobs its inputs need, the
 * upload of its outputs, its result, (for a debug run) where its paused
 * inspector listens, and a fresh token while the attempt runs. Results are
 * written to the store, where the Kubernetes backend of whichever replica
 * owns the execution reads them once the pod has ended.
 */
import type { ExecutionRecord, StateStore } from "../store/state-store.ts";
import type { InspectorEndpoint, JobResult } from "../worker/protocol.ts";
import { blobsNeededBy } from "../blobs/blob-references.ts";
import type { Caller } from "./access.ts";
import { ApiError } from "./api-error.ts";
import type { AttemptClaims, AttemptTokenIssuer } from "./attempt-tokens.ts";
import type { DebuggerAnnouncements } from "./debugger-announcements.ts";
import { missingBlobs, receiveBlob, sendBlob, type BlobAccess } from "./blob-transfer.ts";
import { readJsonBody } from "./http-json.ts";
import { API_PREFIX, attemptKey, type AttemptSpec, type AttemptTokenRenewal } from "./protocol.ts";
import type { Route, RouteContext } from "./router.ts";

/** A reported result may carry a large graph or output; blobs go separately. */
const RESULT_BODY_LIMIT = 64 * 1024 * 1024;

export interface AttemptRouteServices {
  access: BlobAccess;
  agentSource: () => Promise<string>;
  debuggers: DebuggerAnnouncements;
  tokens: AttemptTokenIssuer;
}

export function attemptRoutes(store: StateStore, { access, agentSource, debuggers, tokens }: AttemptRouteServices): Route[] {
  const base = `${API_PREFIX}/attempts/:attempt`;

  async function attemptOf(context: RouteContext): Promise<{ claims: AttemptClaims; project: string; execution: ExecutionRecord }> {
    const claims = claimsOf(context.principal, context.params.attempt!);
    const execution = await store.getExecution(claims.executionId);
    if (!execution) throw new ApiError(404, "EXECUTION_NOT_FOUND", `execution ${claims.executionId} of this attempt no longer exists`);
    return { claims, project: execution.project, execution };
  }

  /** Throws unless the attempt is recorded and still running. */
  async function mustBeRunning(claims: AttemptClaims): Promise<void> {
    const attempt = (await store.listAttempts(claims.executionId, claims.nodeId)).find((a) => a.attempt === claims.attempt);
    if (!attempt) throw new ApiError(404, "ATTEMPT_NOT_FOUND", `attempt ${claims.attempt} of node "${claims.nodeId}" is not recorded`);
    if (attempt.status !== "running") throw new ApiError(409, "ATTEMPT_FINISHED", `attempt ${claims.attempt} of node "${claims.nodeId}" already ${attempt.status}`);
  }

  return [
    {
      method: "GET",
      path: `${API_PREFIX}/agent.mjs`,
      raw: true,
      handle: async ({ principal, response }) => {
        if (principal?.kind !== "attempt") throw new ApiError(403, "FORBIDDEN", "the agent is served to pods, with their attempt token");
        const source = await agentSource();
        response.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "content-length": Buffer.byteLength(source) });
        response.end(source);
      },
    },
    {
      method: "GET",
      path: base,
      handle: async (context): Promise<AttemptSpec> => {
        const { claims, execution } = await attemptOf(context);
        const node = await store.getNode(claims.executionId, claims.nodeId);
        if (!node) throw new ApiError(404, "ATTEMPT_NOT_FOUND", `attempt ${claims.attempt} of node "${claims.nodeId}" is not recorded`);
        await mustBeRunning(claims);
        const inputs = node.inputs ?? {};
        const ref = { executionId: claims.executionId, nodeId: claims.nodeId, attempt: claims.attempt };
        const job = node.kind === "dynamic"
          ? { type: "expand" as const, entity: node.entity, inputs, attempt: ref }
          : { type: "run" as const, entity: node.entity, inputs, attempt: ref };
        const blobs = await blobsNeededBy(Object.values(inputs), (d) => access.blobs.readManifest(d));
        const bundle = { code: execution.bundleHash, ...(execution.sourceMap ? { sourceMap: execution.sourceMap } : {}) };
        return { job, bundle, blobs, tokenExpiresInMs: claims.expiresAt - Date.now() };
      },
    },
    {
      method: "POST",
      path: `${base}/token`,
      handle: async (context): Promise<AttemptTokenRenewal> => {
        const { claims } = await attemptOf(context);
        await mustBeRunning(claims);
        const { token, expiresAt } = await tokens.issue(claims);
        return { token, expiresInMs: expiresAt - Date.now() };
      },
    },
    {
      method: "GET",
      path: `${base}/blobs/:digest`,
      raw: true,
      handle: async (context) => sendBlob(access, (await attemptOf(context)).project, context.params.digest!, context.response),
    },
    {
      method: "POST",
      path: `${base}/blobs/missing`,
      handle: async (context) => missingBlobs(access, (await attemptOf(context)).project, await readJsonBody(context.request)),
    },
    {
      method: "PUT",
      path: `${base}/blobs/:digest`,
      handle: async (context) => receiveBlob(access, (await attemptOf(context)).project, context.params.digest!, context.request),
    },
    {
      method: "POST",
      path: `${base}/debugger`,
      handle: async (context) => {
        const { claims } = await attemptOf(context);
        const endpoint = checkEndpoint(((await readJsonBody(context.request)) as { endpoint?: unknown } | null)?.endpoint);
        if (!debuggers.announce(claims, endpoint)) {
          throw new ApiError(409, "DEBUGGER_NOT_EXPECTED", `attempt ${claims.attempt} of node "${claims.nodeId}" is not waiting for a debugger on this runner (it was not run with debug, or another replica drives it)`);
        }
        return { ok: true };
      },
    },
    {
      method: "POST",
      path: `${base}/result`,
      handle: async (context) => {
        const { claims } = await attemptOf(context);
        const body = (await readJsonBody(context.request, RESULT_BODY_LIMIT)) as { result?: unknown };
        const result = checkResult(body?.result);
        const attempt = (await store.listAttempts(claims.executionId, claims.nodeId)).find((a) => a.attempt === claims.attempt);
        if (!attempt) throw new ApiError(404, "ATTEMPT_NOT_FOUND", `attempt ${claims.attempt} of node "${claims.nodeId}" is not recorded`);
        const saved = await store.saveAttemptReport(claims, result);
        if (!saved) throw new ApiError(409, "ATTEMPT_FINISHED", `attempt ${claims.attempt} of node "${claims.nodeId}" already has a different result`);
        return { ok: true };
      },
    },
  ];
}

function claimsOf(caller: Caller | undefined, key: string): AttemptClaims {
  if (caller?.kind !== "attempt") throw new ApiError(403, "FORBIDDEN", "attempt routes take the attempt token the runner gave the pod, not a user token");
  if (attemptKey(caller.claims) !== key) {
    throw new ApiError(403, "ATTEMPT_TOKEN_MISMATCH", `this token belongs to attempt ${caller.claims.attempt} of node "${caller.claims.nodeId}" of execution ${caller.claims.executionId}, not to ${key}`);
  }
  return caller.claims;
}

function checkEndpoint(value: unknown): InspectorEndpoint {
  const e = value as Record<string, unknown> | null;
  const valid = typeof e === "object" && e !== null && Number.isInteger(e.port) && (e.port as number) > 0 && (e.port as number) < 65536 && typeof e.path === "string" && typeof e.bundlePath === "string";
  if (!valid) throw new ApiError(400, "BAD_JSON", 'the body must be { "endpoint": { "port": 1-65535, "path": "/<uuid>", "bundlePath": "…" } }');
  return { port: e.port as number, path: e.path as string, bundlePath: e.bundlePath as string };
}

function checkResult(value: unknown): JobResult {
  const r = value as Record<string, unknown> | null;
  if (typeof r !== "object" || r === null || typeof r.ok !== "boolean") throw new ApiError(400, "BAD_JSON", 'the body must be { "result": { "ok": true, "output": … } | { "ok": false, "error": { code, message } } }');
  if (r.ok && !("output" in r) && !("graph" in r)) throw new ApiError(400, "BAD_JSON", "a successful result carries an output (a task) or a graph (a dynamic)");
  if (!r.ok) {
    const error = r.error as Record<string, unknown> | undefined;
    if (typeof error?.code !== "string" || typeof error.message !== "string") throw new ApiError(400, "BAD_JSON", "a failed result carries error.code and error.message");
  }
  return r as unknown as JobResult;
}
