/**
 * Logs in terminals: one pseudo-terminal per execution (or per node of it),
 * fed by the runner's logs stream, which replays the stored chunks and then
 * follows live ones until the execution ends. A pseudo-terminal keeps the
 * tasks' ANSI colours; each line carries its node's id.
 */
import { EventEmitter, window, type Disposable, type Terminal } from "vscode";
import { LogLines, noticeLine } from "./log-lines.ts";
import type { RunnerClient, RunnerStream } from "./runner-client.ts";

export interface LogTarget {
  client: RunnerClient;
  executionId: string;
  /** What the execution runs, for the terminal's name. */
  entity: string;
  /** One node's logs only. */
  nodeId?: string;
}

export class LogTerminals implements Disposable {
  private readonly open = new Map<string, Terminal>();
  private readonly closing: Disposable;

  constructor() {
    this.closing = window.onDidCloseTerminal((terminal) => {
      for (const [key, open] of this.open) if (open === terminal) this.open.delete(key);
    });
  }

  /** Shows the terminal of these logs, opening it (and its stream) if it is not open. */
  show(target: LogTarget, preserveFocus = false): Terminal {
    const key = `${target.client.url}#${target.executionId}#${target.nodeId ?? ""}`;
    let terminal = this.open.get(key);
    if (!terminal) {
      const name = target.nodeId ? `aloft ${target.nodeId} (${target.executionId})` : `aloft ${target.entity} (${target.executionId})`;
      terminal = window.createTerminal({ name, pty: logPty(target) });
      this.open.set(key, terminal);
    }
    terminal.show(preserveFocus);
    return terminal;
  }

  dispose(): void {
    this.closing.dispose();
    for (const terminal of this.open.values()) terminal.dispose();
    this.open.clear();
  }
}

function logPty(target: LogTarget) {
  const written = new EventEmitter<string>();
  const lines = new LogLines();
  let stream: RunnerStream | undefined;
  return {
    onDidWrite: written.event,
    open() {
      written.fire(noticeLine(`logs of ${target.nodeId ? `node ${target.nodeId} of ` : ""}execution ${target.executionId} (${target.entity}) on ${target.client.url}`));
      stream = target.client.logs(target.executionId, target.nodeId, (message) => {
        if (message.type === "log") written.fire(lines.push(message.nodeId, message.stream, message.text));
        else if (message.type === "end") written.fire(lines.flush() + noticeLine(`execution ${message.status}`));
      });
      stream.done.catch((error: unknown) => {
        written.fire(lines.flush() + noticeLine(error instanceof Error ? error.message : String(error)));
      });
    },
    close() {
      stream?.close();
      written.dispose();
    },
  };
}
