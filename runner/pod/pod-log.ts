/**
 * The agent's own lines, for the pod's log only. A warm worker captures what
 * a running attempt writes to stdout and stderr (output-capture.ts); a line
 * of the worker's own (its connection, a message it ignored) written through
 * `process.stderr` meanwhile would land in that attempt's log too. Written to
 * the file descriptor directly, it does not.
 */
import { writeSync } from "node:fs";

export function sayToPodLog(line: string): void {
  const text = `aloft agent: ${line}\n`;
  try {
    writeSync(2, text);
  } catch {
    // A full pipe in non-blocking mode (EAGAIN): better in an attempt's log too than lost.
    process.stderr.write(text);
  }
}
