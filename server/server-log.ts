/**
 * Where the server says what it did not manage: the client's log
 * (`window/logMessage`) for detail, and a message the user sees
 * (`window/showMessage`) for what changes how the editor behaves.
 */
export interface ServerLog {
  info(message: string): void;
  error(message: string): void;
  /** Shown to the user as a warning, and logged. */
  warnUser(message: string): void;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
