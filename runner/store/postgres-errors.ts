/**
 * Turns PostgreSQL and connection failures into AloftErrors that name the
 * database (its URL without the password) and say what to do. Errors that
 * are neither pass through untouched.
 */
import { AloftError } from "../../compiler/errors.ts";

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code;
  // Node reports a host with several addresses (::1 and 127.0.0.1) as an AggregateError.
  const inner = (error as { errors?: unknown[] } | null)?.errors;
  return Array.isArray(inner) ? codeOf(inner[0]) : undefined;
}

/** A failure of the connection itself (not of a statement): the connection is not reused. */
export function isConnectionFailure(error: unknown, code = codeOf(error)): boolean {
  if (code !== undefined && CONNECTION_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|timeout exceeded when trying to connect|connection timeout/i.test(message);
}

export function postgresError(error: unknown, location: string, doing: string): unknown {
  if (error instanceof AloftError) return error;
  const code = codeOf(error);
  const reason = error instanceof Error ? error.message || String(code) : String(error);
  if (isConnectionFailure(error, code) || code === "57P01" || code === "57P03") {
    return new AloftError({
      code: "STORE_UNREACHABLE",
      kind: "system",
      message: `cannot reach the PostgreSQL database ${location} (${reason}, while ${doing}); check that the server runs and accepts connections at that host and port`,
    });
  }
  if (code === undefined || !/^[0-9A-Z]{5}$/.test(code)) return error;
  if (code === "28P01" || code === "28000") {
    return new AloftError({
      code: "STORE_ACCESS_DENIED",
      kind: "system",
      message: `the PostgreSQL server refused the login to ${location} (${reason}); check the user and password in the URL`,
    });
  }
  if (code === "3D000") {
    return new AloftError({
      code: "STORE_NO_DATABASE",
      kind: "system",
      message: `the database of ${location} does not exist (${reason}); create it (createdb NAME) or name another in the URL`,
    });
  }
  if (code === "42501") {
    return new AloftError({
      code: "STORE_UNWRITABLE",
      kind: "system",
      message: `the PostgreSQL user of ${location} may not do this (${reason}, while ${doing}); grant it the rights to create and write tables in its schema`,
    });
  }
  if (code === "53300") {
    return new AloftError({
      code: "STORE_BUSY",
      kind: "system",
      message: `the PostgreSQL server of ${location} has no connection left (${reason}, while ${doing}); stop other clients or raise max_connections`,
    });
  }
  if (code.startsWith("23")) {
    return new AloftError({ code: "STORE_CONSTRAINT", kind: "system", message: `${doing} in ${location}: ${reason}` });
  }
  return new AloftError({ code: "STORE_FAILED", kind: "system", message: `the PostgreSQL database ${location} failed while ${doing}: ${reason} (${code})` });
}
