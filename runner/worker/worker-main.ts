/**
 * A warm worker process: `node --enable-source-maps worker-main <bundle> <blobRoot>`,
 * started by the pool with an IPC channel. It loads the user's bundle once,
 * says `ready`, then serves jobs one at a time until the pool ends it.
 */
import { pathToFileURL } from "node:url";
import type { EntityDefinition } from "../../sdk/entity.ts";
import type { ErrorInfo } from "../../compiler/errors.ts";
import { blobCodec } from "./codec.ts";
import { pauseForDebugger } from "./debugger-pause.ts";
import { exportedEntities, JobHandlers } from "./job-handlers.ts";
import { OutputCapture } from "./output-capture.ts";
import { BUNDLE_LOAD_EXIT_CODE, type RunnerToWorker, type WorkerToRunner } from "./protocol.ts";

const [bundlePath, blobRoot] = process.argv.slice(2);
if (!process.send || !bundlePath || !blobRoot) {
  process.stderr.write("usage: worker-main <bundle.mjs> <blobRoot> (started by the aloft worker pool, with an IPC channel)\n");
  process.exit(2);
}
const send = (message: WorkerToRunner): void => {
  process.send!(message);
};

/** Resolves once the message left: the worker is about to block, waiting for a debugger. */
const sendAndWait = (message: WorkerToRunner): Promise<void> =>
  new Promise((resolve, reject) => process.send!(message, undefined, {}, (error) => (error ? reject(error) : resolve())));

const capture = new OutputCapture(send);
capture.install();

// A rejection nobody awaits (a fire-and-forget promise in a task, the rest of
// an async workflow body) must not take down a worker other jobs share.
process.on("unhandledRejection", (reason) => {
  const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  process.stderr.write(`aloft worker: unhandled promise rejection: ${text}\n`);
});

// The pool going away ends the worker even if user code left timers or sockets open.
process.on("disconnect", () => process.exit(0));

const entities = await loadBundle(bundlePath);
const handlers = JobHandlers.forBlobRoot(entities, blobCodec(blobRoot), blobRoot);

// The pool sends one job at a time; the chain only guards against a misbehaving sender.
let chain: Promise<void> = Promise.resolve();
process.on("message", (job: RunnerToWorker) => {
  chain = chain.then(() => serve(job));
});
send({ type: "ready", pid: process.pid });

async function serve(job: RunnerToWorker): Promise<void> {
  capture.jobId = job.id;
  let result;
  try {
    result = await handlers.handle(job, {
      pauseForDebugger: () => pauseForDebugger(bundlePath!, (endpoint) => sendAndWait({ type: "debugger", id: job.id, endpoint })),
    });
  } finally {
    capture.jobId = undefined;
  }
  send({ type: "result", id: job.id, result });
}

async function loadBundle(path: string): Promise<Map<string, EntityDefinition>> {
  try {
    const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    return exportedEntities(module);
  } catch (thrown) {
    const error: ErrorInfo = {
      code: "BUNDLE_LOAD_FAILED",
      kind: "user",
      message: `the code bundle ${path} failed to load: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
    };
    if (thrown instanceof Error && thrown.stack) error.stack = thrown.stack;
    process.stderr.write(`BUNDLE_LOAD_FAILED: ${error.message}\n${error.stack ?? ""}\n`);
    process.send!({ type: "load-failed", error } satisfies WorkerToRunner, () => process.exit(BUNDLE_LOAD_EXIT_CODE));
    return await new Promise<never>(() => {});
  }
}
