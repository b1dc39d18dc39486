/**
 * One forked worker as the pool sees it: its IPC channel, the job it is
 * running, and the tail of its stderr, kept to explain its death.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { ErrorInfo } from "../../compiler/errors.ts";
import { BUNDLE_LOAD_EXIT_CODE, type RunnerToWorker, type WorkerToRunner } from "./protocol.ts";

export interface SpawnOptions {
  entry: string;
  args: string[];
  execArgv: string[];
  env?: NodeJS.ProcessEnv;
  serialization: "json" | "advanced";
}

export interface WorkerEvents {
  message(worker: WorkerProcess, message: WorkerToRunner): void;
  /** Output on the worker's own stdout/stderr pipes (not sent over IPC). */
  output(worker: WorkerProcess, stream: "stdout" | "stderr", text: string): void;
  /** After the process exited and its pipes were drained. */
  exit(worker: WorkerProcess, death: Death): void;
}

export interface Death {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines the process wrote to stderr. */
  stderrTail: string;
  /** The worker said it could not load its bundle (deterministic: do not restart it). */
  loadFailure?: ErrorInfo;
}

const TAIL_CHARS = 4096;
/** How long to wait for the pipes to drain after exit; a grandchild may hold them open. */
const DRAIN_MS = 250;

export class WorkerProcess {
  readonly child: ChildProcess;
  ready = false;
  /** The job in flight, by id. */
  jobId: number | undefined;
  /** Set when the pool killed it on purpose (a timeout), so its exit is not a crash. */
  killed = false;
  private stderrTail = "";
  private loadFailure: ErrorInfo | undefined;

  constructor(options: SpawnOptions, events: WorkerEvents) {
    this.child = fork(options.entry, options.args, {
      execArgv: options.execArgv,
      env: options.env,
      serialization: options.serialization,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    this.child.stdout!.setEncoding("utf8");
    this.child.stderr!.setEncoding("utf8");
    this.child.stdout!.on("data", (text: string) => events.output(this, "stdout", text));
    this.child.stderr!.on("data", (text: string) => {
      this.recordStderr(text);
      events.output(this, "stderr", text);
    });
    this.child.on("message", (message: WorkerToRunner) => {
      if (message.type === "load-failed") this.loadFailure = message.error;
      events.message(this, message);
    });
    let exited = false;
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (exited) return;
      exited = true;
      this.afterDrain(() => {
        const death: Death = { code, signal, stderrTail: this.stderrTail };
        if (this.loadFailure || code === BUNDLE_LOAD_EXIT_CODE) {
          death.loadFailure = this.loadFailure ?? {
            code: "BUNDLE_LOAD_FAILED",
            kind: "user",
            message: `the code bundle failed to load:\n${this.stderrTail.trim()}`,
          };
        }
        events.exit(this, death);
      });
    };
    this.child.on("exit", onExit);
    // A failed spawn emits "error" and may never emit "exit".
    this.child.on("error", (error) => {
      this.stderrTail += `\n${error.message}`;
      if (this.child.exitCode === null && this.child.signalCode === null && this.child.pid === undefined) onExit(null, null);
    });
  }

  /** False from the moment the process exits, before its pipes drain and `exit` is reported. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Keeps the end of what the worker wrote to stderr, through its pipe or over IPC. */
  recordStderr(text: string): void {
    this.stderrTail = (this.stderrTail + text).slice(-TAIL_CHARS);
  }

  send(job: RunnerToWorker): void {
    this.jobId = job.id;
    this.child.send(job);
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.killed = true;
    this.child.kill(signal);
  }

  private afterDrain(done: () => void): void {
    const streams = [this.child.stdout!, this.child.stderr!].filter((s) => !s.readableEnded && !s.destroyed);
    if (!streams.length) return done();
    let pending = streams.length;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      done();
    };
    const timer = setTimeout(finish, DRAIN_MS);
    for (const s of streams) s.once("close", () => --pending === 0 && finish());
  }
}

/** The last few meaningful lines of `text`, for a message (V8's native frames say nothing to a user). */
export function lastLines(text: string, count = 12): string {
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line && !/^\s*\d+: 0x[0-9a-f]+/.test(line) && !/^-+ Native stack trace -+$/.test(line))
    .slice(-count)
    .join("\n");
}

/** V8's own report of a heap limit hit, e.g. `FATAL ERROR: Reached heap limit ...`. */
export function outOfMemoryLine(stderr: string): string | undefined {
  return /^.*(heap out of memory|Reached heap limit).*$/im.exec(stderr)?.[0].trim();
}
