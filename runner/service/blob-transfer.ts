/**
 * Moving blob bytes over HTTP, shared by the user routes and a pod's attempt
 * routes: which digests are missing, receiving an upload (verified against
 * its digest before it is kept), and sending a blob back.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { AloftError } from "../../compiler/errors.ts";
import type { BlobStore } from "../blobs/blob-store.ts";
import { isDigest } from "../blobs/digest.ts";
import type { ProjectBlobGrants } from "../blobs/project-blobs.ts";
import { ApiError } from "./api-error.ts";
import { MAX_BLOB_BYTES, type BlobPutResponse, type MissingBlobsResponse } from "./protocol.ts";

const MAX_DIGESTS_PER_QUERY = 10_000;

export interface BlobAccess {
  blobs: BlobStore;
  grants: ProjectBlobGrants;
}

export function missingBlobs(access: BlobAccess, project: string, body: unknown): MissingBlobsResponse {
  const digests = (body as { digests?: unknown } | null)?.digests;
  if (!Array.isArray(digests)) throw new ApiError(400, "BAD_JSON", 'the body must be { "digests": ["sha256:…", …] }');
  if (digests.length > MAX_DIGESTS_PER_QUERY) throw new ApiError(400, "BAD_JSON", `at most ${MAX_DIGESTS_PER_QUERY} digests per request, got ${digests.length}`);
  digests.forEach((d, i) => requireDigest(d, `digests[${i}]`));
  const held = (d: string) => access.blobs.has(d) && access.grants.allows(project, d);
  return { missing: [...new Set(digests as string[])].filter((d) => !held(d)) };
}

export async function receiveBlob(access: BlobAccess, project: string, digest: string, request: IncomingMessage): Promise<BlobPutResponse> {
  requireDigest(digest, "the path");
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > MAX_BLOB_BYTES) {
    throw new ApiError(413, "BODY_TOO_LARGE", `a blob may be at most ${MAX_BLOB_BYTES} bytes; this one declares ${declared}`);
  }
  try {
    const { size, existed } = await access.blobs.putVerified(request, digest, MAX_BLOB_BYTES);
    await access.grants.grant(project, [digest]);
    return { digest, size, existed };
  } catch (error) {
    if (error instanceof AloftError && error.info.code === "DIGEST_MISMATCH") throw new ApiError(400, "DIGEST_MISMATCH", error.message);
    if (error instanceof AloftError && error.info.code === "BLOB_TOO_LARGE") throw new ApiError(413, "BODY_TOO_LARGE", error.message);
    throw error;
  }
}

/** Streams the blob, or 404 when the store lacks it or the project may not read it (the two look alike). */
export async function sendBlob(access: BlobAccess, project: string, digest: string, response: ServerResponse): Promise<void> {
  requireDigest(digest, "the path");
  if (!access.blobs.has(digest) || !access.grants.allows(project, digest)) {
    throw new ApiError(404, "BLOB_MISSING", `no blob ${digest} that project "${project}" may read`);
  }
  const path = access.blobs.pathOf(digest);
  const { size } = await stat(path);
  response.writeHead(200, { "content-type": "application/octet-stream", "content-length": size, "cache-control": "private, max-age=31536000, immutable" });
  await pipeline(createReadStream(path), response);
}

function requireDigest(value: unknown, where: string): asserts value is string {
  if (!isDigest(value)) throw new ApiError(400, "DIGEST_INVALID", `${where}: ${JSON.stringify(value)} is not a blob digest (sha256:<64 lowercase hex digits>)`);
}
