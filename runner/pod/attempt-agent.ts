/**
 * The agent of a one-attempt pod: fetches the attempt (its job, the code
 * bundle, the input blobs) from the runner with the attempt's token, runs
 * the job with the same handlers as a local worker, uploads the output blobs
 * and reports the result. Its exit code says whether the job succeeded; the
 * result itself travels over HTTP, so nothing is read from the pod's log.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobStore } from "../blobs/blob-store.ts";
import { blobsNeededBy } from "../blobs/blob-references.ts";
import { materializeBundle } from "../bundle/bundle-blobs.ts";
import { AGENT_ENV } from "../service/protocol.ts";
import { pauseForDebugger } from "../worker/debugger-pause.ts";
import { AttemptClient } from "./attempt-client.ts";
import { loadBundle } from "./bundle-handlers.ts";

export async function runOneAttempt(say: (line: string) => void): Promise<number> {
  const runnerUrl = process.env[AGENT_ENV.runner];
  const token = process.env[AGENT_ENV.token];
  const key = process.env[AGENT_ENV.attempt];
  if (!runnerUrl || !token || !key) {
    say(`${AGENT_ENV.runner}, ${AGENT_ENV.token} and ${AGENT_ENV.attempt} must be set (the runner sets them on the pods it creates)`);
    return 2;
  }
  const client = new AttemptClient(runnerUrl, token, key);
  const work = await mkdtemp(join(tmpdir(), "aloft-attempt-"));
  try {
    const spec = await client.spec();
    const blobs = new BlobStore(join(work, "blobs"));
    const needed = [spec.bundle.code, ...(spec.bundle.sourceMap ? [spec.bundle.sourceMap] : []), ...spec.blobs];
    for (const digest of needed) if (!blobs.has(digest)) await client.download(digest, blobs);
    const bundlePath = await materializeBundle(blobs, join(work, "bundle"), spec.bundle);
    const loaded = await loadBundle(bundlePath, blobs, say);
    // A debug attempt waits, right before the task's function, for a debugger the runner relays through a port-forward.
    const debug = process.env[AGENT_ENV.debug] === "1";
    const hooks = { pauseForDebugger: () => pauseForDebugger(bundlePath, (endpoint) => client.announceDebugger(endpoint)) };
    const result = loaded.ok ? await loaded.handlers.handle({ ...spec.job, id: 1, ...(debug ? { debug } : {}) }, hooks) : { ok: false as const, error: loaded.error };
    if (result.ok && "output" in result) await client.upload(await blobsNeededBy([result.output], (d) => blobs.readManifest(d)), blobs);
    await client.report(result);
    return result.ok ? 0 : 1;
  } catch (error) {
    say(`the attempt could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 3;
  } finally {
    client.close();
    await rm(work, { recursive: true, force: true }).catch(() => {});
  }
}
