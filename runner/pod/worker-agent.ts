/**
 * The agent of a warm worker pod: connects to the runner over a WebSocket
 * with its worker token and runs the attempts it is sent, one at a time,
 * until the runner closes the socket (then it exits). Each attempt is
 * fetched, run and reported over the attempt routes exactly as a one-attempt
 * pod does it; what the worker keeps between attempts is each bundle, loaded
 * once per bundle digest, and the blobs it downloaded. After each attempt it
 * puts back the environment variables and working directory the task may
 * have changed; module state of the bundle persists.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BundleDigests } from "../bundle/bundle-blobs.ts";
import { materializeBundle } from "../bundle/bundle-blobs.ts";
import { BlobStore } from "../blobs/blob-store.ts";
import { blobsNeededBy } from "../blobs/blob-references.ts";
import { AGENT_ENV } from "../service/protocol.ts";
import { AttemptClient } from "./attempt-client.ts";
import { loadBundle, type LoadedBundle } from "./bundle-handlers.ts";
import { captureOutput } from "./output-capture.ts";
import { parseRunnerMessage, WORKER_ENV, type RunnerToWorkerPod, type WorkerPodToRunner } from "./worker-messages.ts";
import { linkToRunner } from "./worker-socket.ts";

export async function runWarmWorker(say: (line: string) => void): Promise<number> {
  const runnerUrl = process.env[AGENT_ENV.runner];
  const token = process.env[WORKER_ENV.token];
  if (!runnerUrl || !token) {
    say(`${AGENT_ENV.runner} and ${WORKER_ENV.token} must be set (the runner sets them on the worker pods it creates)`);
    return 2;
  }
  const work = await mkdtemp(join(tmpdir(), "aloft-worker-"));
  let send: (message: WorkerPodToRunner) => void = () => {};
  const worker = new WarmWorker(runnerUrl, new BlobStore(join(work, "blobs")), join(work, "bundles"), (message) => send(message), say);
  let jobs = Promise.resolve();
  const onMessage = (data: string) => {
    const message = parseRunnerMessage(data);
    if (!message) return say(`ignored a message the runner sent that is not a job: ${data.slice(0, 200)}`);
    jobs = jobs.then(() => worker.run(message));
  };
  const link = linkToRunner({ runnerUrl, token, heartbeatMs: Number(process.env[WORKER_ENV.heartbeat]) || 0 }, onMessage, say);
  send = (message) => link.send(JSON.stringify(message));
  // The runner lets the worker go (idle, stopping) or is gone: either way the pod ends.
  return link.ended;
}

class WarmWorker {
  private readonly bundles = new Map<string, Promise<LoadedBundle>>();

  constructor(
    private readonly runnerUrl: string,
    private readonly blobs: BlobStore,
    private readonly bundleRoot: string,
    private readonly send: (message: WorkerPodToRunner) => void,
    private readonly say: (line: string) => void,
  ) {}

  async run(message: RunnerToWorkerPod): Promise<void> {
    const attempt = message.attempt;
    const client = new AttemptClient(this.runnerUrl, message.token, attempt);
    try {
      const spec = await client.spec();
      const loaded = await this.bundle(spec.bundle, client);
      for (const digest of spec.blobs) if (!this.blobs.has(digest)) await client.download(digest, this.blobs);
      const env = { ...process.env };
      const cwd = process.cwd();
      const release = captureOutput((stream, text) => this.send({ type: "log", attempt, stream, text }));
      let result;
      try {
        result = loaded.ok ? await loaded.handlers.handle({ ...spec.job, id: 1 }) : { ok: false as const, error: loaded.error };
      } finally {
        release();
        restoreEnv(env);
        if (process.cwd() !== cwd) process.chdir(cwd);
      }
      if (result.ok && "output" in result) await client.upload(await blobsNeededBy([result.output], (d) => this.blobs.readManifest(d)), this.blobs);
      await client.report(result);
      this.send({ type: "done", attempt });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.say(`attempt ${attempt} could not run: ${error instanceof Error ? (error.stack ?? text) : text}`);
      this.send({ type: "failed", attempt, message: text });
    } finally {
      client.close();
    }
  }

  /** Each bundle is downloaded and imported once; its module stays loaded for later attempts. */
  private bundle(digests: BundleDigests, client: AttemptClient): Promise<LoadedBundle> {
    let loading = this.bundles.get(digests.code);
    if (!loading) {
      loading = (async () => {
        for (const digest of [digests.code, ...(digests.sourceMap ? [digests.sourceMap] : [])]) if (!this.blobs.has(digest)) await client.download(digest, this.blobs);
        return loadBundle(await materializeBundle(this.blobs, this.bundleRoot, digests), this.blobs, this.say);
      })();
      this.bundles.set(digests.code, loading);
      // A download that failed may work for the next attempt.
      loading.catch(() => this.bundles.delete(digests.code));
    }
    return loading;
  }
}

function restoreEnv(saved: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  for (const [name, value] of Object.entries(saved)) if (process.env[name] !== value) process.env[name] = value;
}
