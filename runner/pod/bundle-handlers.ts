/**
 * A code bundle loaded for running jobs: its module imported once, its
 * entities behind the worker's `JobHandlers`. A bundle that fails to load
 * gives the failure every job of it would get.
 */
import { pathToFileURL } from "node:url";
import type { ErrorInfo } from "../../compiler/errors.ts";
import type { BlobStore } from "../blobs/blob-store.ts";
import { blobCodec } from "../worker/codec.ts";
import { exportedEntities, JobHandlers } from "../worker/job-handlers.ts";

export type LoadedBundle = { ok: true; handlers: JobHandlers } | { ok: false; error: ErrorInfo };

export async function loadBundle(bundlePath: string, blobs: BlobStore, say: (line: string) => void): Promise<LoadedBundle> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(bundlePath).href)) as Record<string, unknown>;
  } catch (thrown) {
    const message = `the code bundle failed to load: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
    say(message);
    return { ok: false, error: { code: "BUNDLE_LOAD_FAILED", kind: "user", message, ...(thrown instanceof Error && thrown.stack ? { stack: thrown.stack } : {}) } };
  }
  return { ok: true, handlers: JobHandlers.forBlobRoot(exportedEntities(module), blobCodec(blobs.root), blobs.root) };
}
