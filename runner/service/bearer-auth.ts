/**
 * `Authorization: Bearer TOKEN` on every route but the health check. A missing,
 * malformed or unknown token is 401 with `WWW-Authenticate: Bearer` (RFC 6750).
 */
import type { IncomingHttpHeaders } from "node:http";
import type { StateStore } from "../store/state-store.ts";
import type { Caller } from "./access.ts";
import { ApiError } from "./api-error.ts";
import { isAttemptToken, verifyAttemptToken } from "./attempt-tokens.ts";
import { findToken } from "./tokens.ts";

const REALM = 'Bearer realm="aloft"';
const WHERE_TO_FIND = "the admin token is in .aloft/runner-token of the runner's workspace";

/** The token of an `Authorization` header; an ApiError (401) when there is none or it is malformed. */
export function bearerTokenOf(headers: IncomingHttpHeaders): string {
  const header = headers.authorization;
  if (header === undefined || header === "") {
    throw unauthenticated(`this route wants an "Authorization: Bearer TOKEN" header (${WHERE_TO_FIND})`, REALM);
  }
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match) {
    const scheme = header.split(" ")[0];
    const told = scheme && !/^bearer$/i.test(scheme) ? `uses the "${scheme}" scheme` : "has no token after Bearer";
    throw unauthenticated(`the Authorization header ${told}; send "Authorization: Bearer TOKEN" (${WHERE_TO_FIND})`, `${REALM}, error="invalid_request"`);
  }
  return match[1]!;
}

/**
 * Who presents the request's token: the admin, a project, or a pod's attempt
 * (an attempt token is checked by its signature, with the runner's secret).
 */
export async function authenticate(store: StateStore, attemptSecret: () => Promise<Buffer>, headers: IncomingHttpHeaders): Promise<Caller> {
  const token = bearerTokenOf(headers);
  if (isAttemptToken(token)) {
    const check = verifyAttemptToken(await attemptSecret(), token);
    if (!check.ok) throw unauthenticated(`the attempt token is refused: ${check.reason}`, `${REALM}, error="invalid_token"`);
    return { kind: "attempt", claims: check.claims };
  }
  const record = await findToken(store, token);
  if (!record) {
    throw unauthenticated(`the bearer token is not one this runner issued, or it was revoked (${WHERE_TO_FIND})`, `${REALM}, error="invalid_token"`);
  }
  return record.scope.kind === "admin" ? { kind: "admin", tokenId: record.id } : { kind: "project", tokenId: record.id, project: record.scope.project };
}

function unauthenticated(message: string, challenge: string): ApiError {
  return new ApiError(401, "UNAUTHENTICATED", message, { "www-authenticate": challenge });
}
