/**
 * Sends what a job's code writes to `process.stdout`/`process.stderr`
 * (`console.log` included) to the runner over IPC, tagged with the job. IPC
 * keeps it in order with the job's result, so nothing written before a task
 * returns is lost or misattributed.
 *
 * Writes that bypass these streams (child processes inheriting the worker's
 * file descriptors, native code) reach the worker's pipes instead, where the
 * pool attributes them to whatever job the worker is running when they arrive.
 * So is output a job schedules for after it returns (a timer, an unawaited
 * promise): it goes to the pipes, outside any job here.
 */
import type { WorkerToRunner } from "./protocol.ts";

type Write = typeof process.stdout.write;

export class OutputCapture {
  /** The job whose output is being captured, if any. */
  jobId: number | undefined;

  constructor(private readonly send: (message: WorkerToRunner) => void) {}

  install(): void {
    this.wrap("stdout", process.stdout);
    this.wrap("stderr", process.stderr);
  }

  private wrap(name: "stdout" | "stderr", stream: NodeJS.WriteStream): void {
    const original = stream.write.bind(stream) as Write;
    const capture = this;
    stream.write = function write(chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean {
      const id = capture.jobId;
      if (id === undefined) return (original as (...args: unknown[]) => boolean)(chunk, encodingOrCallback, callback);
      const encoding = typeof encodingOrCallback === "string" ? (encodingOrCallback as BufferEncoding) : "utf8";
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(encoding);
      capture.send({ type: "log", id, stream: name, text });
      const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
      if (typeof done === "function") queueMicrotask(() => (done as (error?: Error | null) => void)(null));
      return true;
    } as Write;
  }
}
