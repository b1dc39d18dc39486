/**
 * Warm worker processes that load one bundle once and run many jobs: the
 * local twin of reusable containers. Jobs queue FIFO; a worker gets the next
 * job the moment it returns a result. A worker that dies or runs past a job's
 * timeout is replaced, and its job fails with a system or timeout error.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Job, JobOptions, TaskExecutor } from "../engine/executor.ts";
import { AloftError, type ErrorInfo } from "../../compiler/errors.ts";
import type { JobResult, RunnerToWorker, WorkerToRunner } from "./protocol.ts";
import { lastLines, outOfMemoryLine, WorkerProcess, type Death, type WorkerEvents } from "./worker-process.ts";

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface WorkerPoolOptions {
  bundlePath: string;
  /** Root of the content-addressed blob store; scratch space goes beside it. */
  blobRoot: string;
  size: number;
  /** Worker script; defaults to `workerEntry()`. */
  entry?: string;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** V8 old-space limit per worker (`--max-old-space-size`). */
  maxOldSpaceMb?: number;
  /** IPC encoding; `json` measured faster for these small messages. */
  serialization?: "json" | "advanced";
  /** Output a worker writes outside any job (at start, or after a job returned). */
  onStrayOutput?: (stream: "stdout" | "stderr", text: string, pid: number | undefined) => void;
}

interface Pending {
  message: RunnerToWorker;
  options: JobOptions;
  resolve: (result: JobResult) => void;
  worker?: WorkerProcess;
  timer?: NodeJS.Timeout;
}

/** Workers that die before `ready` this many times in a row mean the bundle cannot start. */
const MAX_START_FAILURES = 3;
const CLOSE_GRACE_MS = 2000;

export class WorkerPool implements TaskExecutor {
  readonly size: number;
  private readonly workers = new Set<WorkerProcess>();
  private readonly idle: WorkerProcess[] = [];
  private readonly running = new Map<number, Pending>();
  private queue: Pending[] = [];
  private queueHead = 0;
  private nextId = 1;
  private startFailures = 0;
  private broken: ErrorInfo | undefined;
  private closing = false;
  private started: Promise<void> | undefined;
  private onStarted: (() => void) | undefined;
  private onBroken: ((error: AloftError) => void) | undefined;
  private readonly events: WorkerEvents = {
    message: (worker, message) => this.onMessage(worker, message),
    output: (worker, stream, text) => this.onOutput(worker, stream, text),
    exit: (worker, death) => this.onExit(worker, death),
  };

  constructor(private readonly options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`WorkerPool: size must be a positive integer, got ${options.size}`);
    this.size = options.size;
  }

  /** Starts every worker; resolves once all have loaded the bundle. */
  start(): Promise<void> {
    this.started ??= new Promise<void>((resolve, reject) => {
      this.onStarted = resolve;
      this.onBroken = reject;
      for (let i = 0; i < this.size; i++) this.spawn();
    });
    return this.started;
  }

  run(job: Job, options: JobOptions = {}): Promise<JobResult> {
    if (this.broken) return Promise.resolve({ ok: false, error: this.broken });
    if (this.closing) return Promise.resolve({ ok: false, error: closedError() });
    this.start().catch(() => {}); // a broken start fails the queue below
    const message = { ...job, id: this.nextId++ } as RunnerToWorker;
    return new Promise<JobResult>((resolve) => {
      this.queue.push({ message, options, resolve });
      this.dispatch();
    });
  }

  /** Ends every worker; jobs still queued or running fail with POOL_CLOSED. */
  async close(): Promise<void> {
    this.closing = true;
    this.failQueue(closedError());
    this.onBroken?.(new AloftError(closedError()));
    const exits = [...this.workers].map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve();
          worker.child.once("exit", () => resolve());
          const force = setTimeout(() => worker.kill("SIGKILL"), CLOSE_GRACE_MS);
          worker.child.once("exit", () => clearTimeout(force));
          if (worker.child.connected) worker.child.disconnect();
          else worker.kill("SIGKILL");
        }),
    );
    await Promise.all(exits);
  }

  private spawn(): void {
    const { entry, execArgv } = this.command();
    const worker = new WorkerProcess(
      {
        entry,
        args: [this.options.bundlePath, this.options.blobRoot],
        execArgv,
        env: this.options.env,
        serialization: this.options.serialization ?? "json",
      },
      this.events,
    );
    this.workers.add(worker);
  }

  private command(): { entry: string; execArgv: string[] } {
    const fallback = workerEntry();
    const entry = this.options.entry ?? fallback.entry;
    const execArgv = this.options.execArgv ?? (this.options.entry ? (entry.endsWith(".ts") ? tsxArgv() : []) : fallback.execArgv);
    const memory = this.options.maxOldSpaceMb ? [`--max-old-space-size=${this.options.maxOldSpaceMb}`] : [];
    return { entry, execArgv: ["--enable-source-maps", ...execArgv, ...memory] };
  }

  private dispatch(): void {
    while (this.queueHead < this.queue.length && this.idle.length) {
      const worker = this.idle.pop()!;
      if (!worker.alive) continue; // died while idle; its exit report brings a replacement
      const pending = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as unknown as Pending;
      pending.worker = worker;
      this.running.set(pending.message.id, pending);
      worker.send(pending.message);
      const timeoutMs = pending.options.timeoutMs;
      // Node fires a timer longer than 2^31-1 ms (about 24.8 days) at once; such a timeout never matters.
      if (timeoutMs !== undefined && timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS) pending.timer = setTimeout(() => this.timeOut(pending, timeoutMs), timeoutMs);
    }
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private onMessage(worker: WorkerProcess, message: WorkerToRunner): void {
    switch (message.type) {
      case "result": {
        const pending = this.running.get(message.id);
        if (!pending || pending.worker !== worker) return;
        this.running.delete(message.id);
        if (pending.timer) clearTimeout(pending.timer);
        worker.jobId = undefined;
        this.idle.push(worker);
        this.dispatch(); // the next job leaves before this one's caller wakes up
        pending.resolve(message.result);
        return;
      }
      case "log":
        if (message.stream === "stderr") worker.recordStderr(message.text);
        this.running.get(message.id)?.options.onLog?.(message.stream, message.text);
        return;
      case "ready":
        worker.ready = true;
        this.startFailures = 0;
        this.idle.push(worker);
        this.dispatch();
        if (this.onStarted && this.idle.length + this.running.size >= this.size) this.onStarted();
        return;
      case "debugger":
        this.running.get(message.id)?.options.onDebugger?.(message.endpoint);
        return;
      case "load-failed":
        return; // acted on when the worker exits
    }
  }

  private onOutput(worker: WorkerProcess, stream: "stdout" | "stderr", text: string): void {
    const pending = worker.jobId === undefined ? undefined : this.running.get(worker.jobId);
    if (pending?.worker === worker) pending.options.onLog?.(stream, text);
    else this.options.onStrayOutput?.(stream, text, worker.pid);
  }

  private onExit(worker: WorkerProcess, death: Death): void {
    this.workers.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    const pending = worker.jobId === undefined ? undefined : this.running.get(worker.jobId);
    if (pending?.worker === worker) {
      this.running.delete(worker.jobId!);
      if (pending.timer) clearTimeout(pending.timer);
      pending.resolve({ ok: false, error: this.closing ? closedError() : this.deathError(pending.message, death) });
    }
    if (this.closing) return;
    if (!worker.ready) {
      this.startFailures++;
      if (death.loadFailure) this.breakPool(death.loadFailure);
      else if (this.startFailures >= MAX_START_FAILURES) {
        this.breakPool({
          code: "BUNDLE_LOAD_FAILED",
          kind: "system",
          message: `${this.startFailures} workers in a row exited before loading ${this.options.bundlePath} (${exitText(death)}); last lines of stderr:\n${lastLines(death.stderrTail)}`,
        });
      }
    }
    if (this.broken) return;
    this.spawn();
    this.dispatch();
  }

  private timeOut(pending: Pending, timeoutMs: number): void {
    const id = pending.message.id;
    if (this.running.get(id) !== pending) return;
    this.running.delete(id);
    // The worker stays out of `idle`; its exit brings a replacement.
    pending.worker!.kill("SIGKILL");
    const entity = "entity" in pending.message ? pending.message.entity : undefined;
    const error: ErrorInfo = {
      code: "TASK_TIMEOUT",
      kind: "timeout",
      message: `${jobSubject(pending.message)} ran longer than its timeout of ${formatTimeout(timeoutMs)} and was stopped`,
    };
    if (entity) error.entity = entity;
    pending.resolve({ ok: false, error });
  }

  private deathError(message: RunnerToWorker, death: Death): ErrorInfo {
    const oom = outOfMemoryLine(death.stderrTail);
    const limit = this.options.maxOldSpaceMb ? ` of ${this.options.maxOldSpaceMb} MB` : "";
    const tail = lastLines(death.stderrTail);
    const error: ErrorInfo = {
      code: oom ? "WORKER_OUT_OF_MEMORY" : "WORKER_CRASHED",
      kind: "system",
      message: oom
        ? `the worker running ${jobSubject(message)} ran out of memory (JavaScript heap limit${limit}) and ${exitText(death)} (${oom}); give it more memory (resources.memory) or hold less data at once`
        : `the worker running ${jobSubject(message)} ${exitText(death)} before the job finished${tail ? `; last lines of its stderr:\n${tail}` : ""}`,
    };
    if ("entity" in message) error.entity = message.entity;
    return error;
  }

  private breakPool(error: ErrorInfo): void {
    this.broken = error;
    this.failQueue(error);
    this.onBroken?.(new AloftError(error));
  }

  private failQueue(error: ErrorInfo): void {
    const waiting = this.queue.slice(this.queueHead);
    this.queue = [];
    this.queueHead = 0;
    for (const pending of waiting) pending.resolve({ ok: false, error });
  }
}

/** The worker script and the node flags it needs: the `.ts` source under tsx, or the built `worker.js`. */
export function workerEntry(): { entry: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".ts")) return { entry: join(dirname(here), "worker-main.ts"), execArgv: tsxArgv() };
  // Bundled into dist/cli.js, beside dist/worker.js.
  return { entry: join(dirname(here), "worker.js"), execArgv: [] };
}

/** `--import tsx` by absolute URL, so it resolves whatever the working directory. */
function tsxArgv(): string[] {
  try {
    return ["--import", import.meta.resolve("tsx")];
  } catch {
    return ["--import", "tsx"];
  }
}

function jobSubject(message: RunnerToWorker): string {
  switch (message.type) {
    case "describe":
      return "the bundle's description";
    case "trace":
      return `workflow "${message.entity}"`;
    case "run":
      return `task "${message.entity}"`;
    case "expand":
      return `dynamic "${message.entity}"`;
  }
}

function exitText(death: Death): string {
  if (death.signal) return `was killed by ${death.signal}`;
  return death.code === null ? "could not start" : `exited with code ${death.code}`;
}

function closedError(): ErrorInfo {
  return { code: "POOL_CLOSED", kind: "system", message: "the worker pool was closed before the job finished" };
}

export function formatTimeout(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const units: [number, string][] = [[3_600_000, "h"], [60_000, "m"], [1000, "s"]];
  for (const [size, unit] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${+(ms / 1000).toFixed(1)}s`;
}
