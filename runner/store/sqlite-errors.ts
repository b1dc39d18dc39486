/**
 * Turns SQLite failures into AloftErrors that name the database file and say
 * what to do. Errors that are not SQLite's (a bug, or an AloftError the store
 * threw itself) pass through untouched.
 */
import { AloftError } from "../../compiler/errors.ts";

export function storeError(error: unknown, path: string, doing: string): unknown {
  if (error instanceof AloftError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return error;
  const reason = (error as Error).message;
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) {
    return new AloftError({
      code: "STORE_CORRUPT",
      kind: "system",
      message:
        `the state database ${path} is not a SQLite database or is corrupt (${reason}, while ${doing}); ` +
        `move it aside (mv "${path}" "${path}.broken") and aloft starts a fresh one, without the earlier executions`,
    });
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new AloftError({
      code: "STORE_LOCKED",
      kind: "system",
      message:
        `the state database ${path} is locked by another process (while ${doing}); ` +
        `wait for the other aloft command using it to finish, or stop it, then try again`,
    });
  }
  if (code.startsWith("SQLITE_CANTOPEN")) {
    return unwritable(path, `${reason}, while ${doing}; is the path a folder, or its folder not writable?`);
  }
  if (
    code.startsWith("SQLITE_READONLY") ||
    code === "SQLITE_PERM" ||
    code === "SQLITE_FULL"
  ) {
    return unwritable(path, `${reason}, while ${doing}`);
  }
  if (code.startsWith("SQLITE_CONSTRAINT")) {
    return new AloftError({ code: "STORE_CONSTRAINT", kind: "system", message: `${doing} in ${path}: ${reason}` });
  }
  return new AloftError({ code: "STORE_FAILED", kind: "system", message: `the state database ${path} failed while ${doing}: ${reason} (${code})` });
}

export function unwritable(path: string, reason: string): AloftError {
  return new AloftError({
    code: "STORE_UNWRITABLE",
    kind: "system",
    message:
      `cannot create or write the state database ${path} (${reason}); ` +
      `check that its folder can be created and written by this user and that the disk has space`,
  });
}
