/** Uploads and downloads of blobs by users, each scoped to a project (see project-blobs.ts). */
import { projectFor } from "./access.ts";
import { missingBlobs, receiveBlob, sendBlob, type BlobAccess } from "./blob-transfer.ts";
import { readJsonBody } from "./http-json.ts";
import { API_PREFIX } from "./protocol.ts";
import type { Route, RouteContext } from "./router.ts";

/** An admin names the project it uploads for with `?project=`; a project token acts in its own. */
function projectOf({ principal, query }: RouteContext): string {
  return projectFor(principal, query.get("project") ?? undefined);
}

export function blobRoutes(access: BlobAccess): Route[] {
  return [
    {
      method: "POST",
      path: `${API_PREFIX}/blobs/missing`,
      handle: async (context) => missingBlobs(access, projectOf(context), await readJsonBody(context.request)),
    },
    {
      method: "PUT",
      path: `${API_PREFIX}/blobs/:digest`,
      handle: (context) => receiveBlob(access, projectOf(context), context.params.digest!, context.request),
    },
    {
      method: "GET",
      path: `${API_PREFIX}/blobs/:digest`,
      raw: true,
      handle: (context) => sendBlob(access, projectOf(context), context.params.digest!, context.response),
    },
  ];
}
