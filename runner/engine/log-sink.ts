/**
 * Keeps each attempt's stdout and stderr in its own file, written as it
 * arrives, so logs survive the runner and can be replayed after the fact.
 * One JSON line per chunk keeps the stream and time of every write.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

export interface LogChunk {
  /** Milliseconds since the epoch. */
  t: number;
  s: "stdout" | "stderr";
  x: string;
}

export class LogSink {
  private readonly open = new Map<string, number>();

  constructor(private readonly root: string) {}

  pathFor(executionId: string, nodeId: string, attempt: number): string {
    return join(this.root, executionId, `${encodeURIComponent(nodeId)}.${attempt}.jsonl`);
  }

  write(path: string, stream: "stdout" | "stderr", text: string, t = Date.now()): void {
    let fd = this.open.get(path);
    if (fd === undefined) {
      mkdirSync(dirname(path), { recursive: true });
      fd = openSync(path, "a");
      this.open.set(path, fd);
    }
    writeSync(fd, `${JSON.stringify({ t, s: stream, x: text } satisfies LogChunk)}\n`);
  }

  close(path: string): void {
    const fd = this.open.get(path);
    if (fd !== undefined) {
      closeSync(fd);
      this.open.delete(path);
    }
  }

  closeAll(): void {
    for (const path of [...this.open.keys()]) this.close(path);
  }
}

/** How much of an attempt's log is kept: its chunks, and the UTF-8 bytes of their text. */
export function keptLog(path: string): { chunks: number; bytes: number } {
  const chunks = readLog(path);
  return { chunks: chunks.length, bytes: chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk.x, "utf8"), 0) };
}

/** Reads an attempt's log back; an attempt that printed nothing has none. */
export function readLog(path: string): LogChunk[] {
  if (!existsSync(path)) return [];
  const chunks: LogChunk[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line) continue;
    try {
      chunks.push(JSON.parse(line) as LogChunk);
    } catch {
      // A line cut short by a killed runner: everything before it is intact.
    }
  }
  return chunks;
}
