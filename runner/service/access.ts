/**
 * Who may do what. A request carries one of three kinds of token: the admin
 * token (everything), a project token (that project's executions, blobs and
 * streams only), or an attempt token (one pod's own attempt routes only).
 * Another project's execution answers 404, as if it did not exist, so ids
 * cannot be probed.
 */
import type { ExecutionRecord } from "../store/state-store.ts";
import { ApiError } from "./api-error.ts";
import type { AttemptClaims } from "./attempt-tokens.ts";
import { API_PREFIX, scopeNameProblem } from "./protocol.ts";

export type Caller =
  | { kind: "admin"; tokenId: string }
  | { kind: "project"; tokenId: string; project: string }
  | { kind: "attempt"; claims: AttemptClaims };

export const DEFAULT_PROJECT = "default";
export function checkProjectName(name: unknown, field = "project"): string {
  const problem = scopeNameProblem(field, name);
  if (problem) throw new ApiError(400, "BAD_SUBMISSION", problem);
  return name as string;
}

/** The project a request acts in: its token's, or for the admin the one it names. */
export function projectFor(caller: Caller | undefined, requested?: string): string {
  const who = requireUserCaller(caller);
  if (who.kind === "admin") return requested === undefined ? DEFAULT_PROJECT : checkProjectName(requested);
  if (requested !== undefined && requested !== who.project) {
    throw new ApiError(403, "FORBIDDEN", `this token belongs to project "${who.project}" and cannot act in project "${requested}"`);
  }
  return who.project;
}

/** Projects whose executions a caller may list: all (undefined) for the admin. */
export function visibleProject(caller: Caller | undefined): string | undefined {
  const who = requireUserCaller(caller);
  return who.kind === "admin" ? undefined : who.project;
}

export function canSee(caller: Caller | undefined, execution: ExecutionRecord): boolean {
  const who = requireUserCaller(caller);
  return who.kind === "admin" || execution.project === who.project;
}

export function executionNotFound(id: string): ApiError {
  return new ApiError(404, "EXECUTION_NOT_FOUND", `no execution "${id}" in this runner; GET ${API_PREFIX}/executions lists the recent ones`);
}

export function requireAdmin(caller: Caller | undefined): void {
  if (requireUserCaller(caller).kind !== "admin") {
    throw new ApiError(403, "FORBIDDEN", "only the runner's admin token may manage tokens (it is in .aloft/runner-token of the runner's workspace)");
  }
}

/** User routes refuse attempt tokens: a pod's token opens its own attempt and nothing else. */
export function requireUserCaller(caller: Caller | undefined): Exclude<Caller, { kind: "attempt" }> {
  if (!caller) throw new Error("a user route was reached without authentication");
  if (caller.kind === "attempt") {
    throw new ApiError(403, "FORBIDDEN", `an attempt token opens only ${API_PREFIX}/attempts/ routes of its own attempt`);
  }
  return caller;
}
