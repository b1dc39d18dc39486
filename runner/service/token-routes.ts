/** Project tokens, issued, listed and revoked by the admin. */
import type { StateStore } from "../store/state-store.ts";
import { checkProjectName, requireAdmin } from "./access.ts";
import { ApiError } from "./api-error.ts";
import { readJsonBody } from "./http-json.ts";
import { API_PREFIX, type CreateTokenResponse, type TokenListResponse } from "./protocol.ts";
import type { Route } from "./router.ts";
import { issueToken } from "./tokens.ts";

export function tokenRoutes(store: StateStore): Route[] {
  return [
    {
      method: "POST",
      path: `${API_PREFIX}/tokens`,
      status: 201,
      handle: async ({ request, principal }): Promise<CreateTokenResponse> => {
        requireAdmin(principal);
        const body = (await readJsonBody(request)) as { project?: unknown; description?: unknown };
        const project = checkProjectName(body?.project);
        const description = typeof body.description === "string" ? body.description : `project ${project}`;
        const { token, record } = await issueToken(store, { kind: "project", project }, description);
        return { id: record.id, project, token };
      },
    },
    {
      method: "GET",
      path: `${API_PREFIX}/tokens`,
      handle: async ({ principal }): Promise<TokenListResponse> => {
        requireAdmin(principal);
        const tokens = await store.listTokens();
        return {
          tokens: tokens.map((t) => ({
            id: t.id,
            scope: t.scope.kind,
            project: t.scope.kind === "project" ? t.scope.project : null,
            description: t.description,
            createdAt: new Date(t.createdAt).toISOString(),
          })),
        };
      },
    },
    {
      method: "DELETE",
      path: `${API_PREFIX}/tokens/:id`,
      handle: async ({ params, principal }) => {
        requireAdmin(principal);
        const id = params.id!;
        const live = (await store.listTokens()).find((t) => t.id === id);
        if (!live) throw new ApiError(404, "TOKEN_NOT_FOUND", `no live token with id ${id}; GET ${API_PREFIX}/tokens lists them`);
        if (live.scope.kind === "admin" && (await store.listTokens()).filter((t) => t.scope.kind === "admin").length === 1) {
          throw new ApiError(409, "LAST_ADMIN_TOKEN", "this is the runner's only admin token; revoking it would lock everyone out");
        }
        await store.revokeToken(id);
        return { id, revoked: true };
      },
    },
  ];
}
