/**
 * While a job runs in a warm worker, what it writes to stdout and stderr
 * (console.log included) is also handed to `sink`, to reach the attempt's log
 * in the runner; the pod's own log keeps it too.
 */
type Write = typeof process.stdout.write;

export function captureOutput(sink: (stream: "stdout" | "stderr", text: string) => void): () => void {
  const restore = [tap(process.stdout, "stdout", sink), tap(process.stderr, "stderr", sink)];
  return () => restore.forEach((undo) => undo());
}

function tap(target: NodeJS.WriteStream, stream: "stdout" | "stderr", sink: (stream: "stdout" | "stderr", text: string) => void): () => void {
  const original = target.write;
  const write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    sink(stream, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  };
  target.write = write as Write;
  return () => {
    if (target.write === write) target.write = original;
  };
}
