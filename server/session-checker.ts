/**
 * The TypeScript session behind the server: one long-lived `tsgo` process
 * that sees open documents' unsaved text as overlays. When the process dies
 * (or a check fails in a way only a fresh session can tell apart), a new
 * session is started with the same overlays and the check is tried once more.
 */
import { AloftError } from "../compiler/errors.ts";
import { readEntities, type EntityReading } from "../compiler/interfaces.ts";
import { TypeScriptSession } from "../compiler/ts-api.ts";
import { errorText, type ServerLog } from "./server-log.ts";

export type CheckResult = { reading: EntityReading } | { notChecked: string };

export class SessionChecker {
  #session: TypeScriptSession;
  /** The overlays of open documents, to hand to a restarted session. */
  readonly #overlays = new Map<string, string>();
  #restarts = 0;
  /** Files whose check failed in a fresh session too: a fault of the checker, not of the process. */
  readonly #failsInAnySession = new Set<string>();

  constructor(
    private readonly log: ServerLog,
    private readonly cwd: string = process.cwd(),
  ) {
    this.#session = new TypeScriptSession({ cwd });
  }

  /** Serves `text` for `file`; true when it differs from what the session read there before. */
  setText(file: string, text: string): boolean {
    const before = this.#overlays.get(file) ?? this.#session.readText(file);
    this.#overlays.set(file, text);
    this.#session.setOverlay(file, text);
    return before !== text;
  }

  /** The document closed: the session reads `file` from disk again. */
  forget(file: string): void {
    if (!this.#overlays.delete(file)) return;
    this.#session.deleteOverlay(file);
  }

  filesChanged(files: { changed?: string[]; created?: string[]; deleted?: string[] }): void {
    this.#session.filesChanged(files);
  }

  check(file: string): CheckResult {
    try {
      const reading = readEntities(file, this.#session);
      this.#failsInAnySession.delete(file);
      return { reading };
    } catch (error) {
      if (error instanceof AloftError) return { notChecked: error.info.message };
      this.log.error(`checking ${file} failed: ${stackOf(error)}`);
      if (this.#failsInAnySession.has(file)) return { notChecked: internalError(file, error) };
      this.#restart();
      try {
        const reading = readEntities(file, this.#session);
        this.log.warnUser(`aloft: the TypeScript checker stopped (${errorText(error)}); restarted it and checked ${file} again`);
        return { reading };
      } catch (again) {
        if (again instanceof AloftError) return { notChecked: again.info.message };
        // Not the process, then: do not restart for this file again until a check of it succeeds.
        this.#failsInAnySession.add(file);
        this.log.error(`checking ${file} failed again in a new TypeScript session: ${stackOf(again)}`);
        return { notChecked: internalError(file, again) };
      }
    }
  }

  close(): void {
    this.#session.close();
  }

  #restart(): void {
    try {
      this.#session.close();
    } catch {
      // The process is gone already: nothing is left to close.
    }
    this.#restarts++;
    this.#session = new TypeScriptSession({ cwd: this.cwd });
    for (const [file, text] of this.#overlays) this.#session.setOverlay(file, text);
    this.log.info(`started TypeScript session #${this.#restarts + 1}`);
  }
}

function stackOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function internalError(file: string, error: unknown): string {
  return `aloft could not check ${file}: ${errorText(error)} (an internal error of aloft's checker; the server log has the stack)`;
}
