/**
 * What runs in a task's pod: fetches the attempt (its job, the code bundle,
 * the input blobs) from the runner with the attempt's token, runs the job
 * with the same handlers as a local worker, uploads the output blobs and
 * reports the result. Its exit code says whether the job succeeded; the
 * result itself travels over HTTP, so nothing is read from the pod's log.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BlobStore } from "../blobs/blob-store.ts";
import { blobsNeededBy } from "../blobs/blob-references.ts";
import { materializeBundle } from "../bundle/bundle-blobs.ts";
import { AGENT_ENV } from "../service/protocol.ts";
import { blobCodec } from "../worker/codec.ts";
import { exportedEntities, JobHandlers } from "../worker/job-handlers.ts";
import type { JobResult } from "../worker/protocol.ts";
import { AttemptClient } from "./attempt-client.ts";

const say = (line: string) => process.stderr.write(`aloft agent: ${line}\n`);

const runnerUrl = process.env[AGENT_ENV.runner];
const token = process.env[AGENT_ENV.token];
const key = process.env[AGENT_ENV.attempt];
if (!runnerUrl || !token || !key) {
  say(`${AGENT_ENV.runner}, ${AGENT_ENV.token} and ${AGENT_ENV.attempt} must be set (the runner sets them on the pods it creates)`);
  process.exit(2);
}

// A task's stray promise must not end the attempt before its result is reported.
process.on("unhandledRejection", (reason) => say(`unhandled promise rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));

const client = new AttemptClient(runnerUrl, token, key);
const work = await mkdtemp(join(tmpdir(), "aloft-attempt-"));
let exitCode = 1;
try {
  const spec = await client.spec();
  const blobs = new BlobStore(join(work, "blobs"));
  const needed = [spec.bundle.code, ...(spec.bundle.sourceMap ? [spec.bundle.sourceMap] : []), ...spec.blobs];
  for (const digest of needed) if (!blobs.has(digest)) await client.download(digest, blobs);
  const bundlePath = await materializeBundle(blobs, join(work, "bundle"), spec.bundle);
  const result = await runJob(bundlePath, blobs, spec.job);
  if (result.ok && "output" in result) await client.upload(await blobsNeededBy([result.output], (d) => blobs.readManifest(d)), blobs);
  await client.report(result);
  exitCode = result.ok ? 0 : 1;
} catch (error) {
  say(`the attempt could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  exitCode = 3;
} finally {
  await rm(work, { recursive: true, force: true }).catch(() => {});
}
// Timers or sockets a task left open must not keep the pod alive.
process.exit(exitCode);

async function runJob(bundlePath: string, blobs: BlobStore, job: Parameters<JobHandlers["handle"]>[0] extends infer J ? Omit<Extract<J, { type: "run" | "expand" }>, "id"> : never): Promise<JobResult> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(bundlePath).href)) as Record<string, unknown>;
  } catch (thrown) {
    const message = `the code bundle failed to load: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
    say(message);
    return { ok: false, error: { code: "BUNDLE_LOAD_FAILED", kind: "user", message, ...(thrown instanceof Error && thrown.stack ? { stack: thrown.stack } : {}) } };
  }
  const handlers = JobHandlers.forBlobRoot(exportedEntities(module), blobCodec(blobs.root), blobs.root);
  return handlers.handle({ ...job, id: 1 });
}
