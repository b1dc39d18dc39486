/**
 * Failures as values: a stable code, who failed (entity, node, field), a
 * message written for the user, and whether trying again can help.
 */
export type ErrorKind =
  /** The user's code or input is wrong: retry only if the task asks for retries. */
  | "user"
  /** The machine failed (a worker died, ran out of memory, the runner was killed). */
  | "system"
  /** The task ran past its timeout. */
  | "timeout";

export interface ErrorInfo {
  code: string;
  kind: ErrorKind;
  message: string;
  entity?: string;
  node?: string;
  field?: string;
  /** Stack trace with positions mapped back to the user's `.ts` source. */
  stack?: string;
}

/** An error a user caused, thrown through the runner and CLI as-is. */
export class AloftError extends Error {
  readonly info: ErrorInfo;
  constructor(info: Omit<ErrorInfo, "kind"> & { kind?: ErrorKind }) {
    super(info.message);
    this.name = "AloftError";
    this.info = { kind: "user", ...info };
  }
}

export function toErrorInfo(error: unknown, fallback: Omit<ErrorInfo, "message" | "kind"> & { kind?: ErrorKind }): ErrorInfo {
  if (error instanceof AloftError) return error.info;
  if (error instanceof Error) {
    return { kind: "user", ...fallback, message: error.message, stack: error.stack };
  }
  return { kind: "user", ...fallback, message: String(error) };
}
