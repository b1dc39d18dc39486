/**
 * `postgres://` URLs as `--db` takes them: checked before any connection,
 * shown without their password, and with aloft's one parameter of its own,
 * `schema=NAME` (the tables live in that PostgreSQL schema, made if missing),
 * taken out before the rest goes to the driver.
 */
import { AloftError } from "../../compiler/errors.ts";

export interface PostgresTarget {
  /** What the driver connects with (no `schema` parameter). */
  connectionString: string;
  /** The PostgreSQL schema that holds aloft's tables; the connection's default when absent. */
  schema?: string;
  /** The URL for messages: no password, anywhere. */
  display: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}

/** The URL with any password taken out, even when it does not parse. */
export function redactPostgresUrl(text: string): string {
  try {
    const url = new URL(text);
    url.password = "";
    url.searchParams.delete("password");
    return url.toString();
  } catch {
    return text.replace(/(\/\/[^:/@]*):[^@/]*@/, "$1@").replace(/([?&]password=)[^&]*/i, "$1***");
  }
}

export function parsePostgresUrl(text: string): PostgresTarget {
  const shown = redactPostgresUrl(text);
  const bad = (why: string) =>
    new AloftError({
      code: "STORE_BAD_URL",
      kind: "user",
      message: `${shown} is not a PostgreSQL URL aloft can use: ${why}; write postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]`,
    });
  if (!isPostgresUrl(text)) throw bad("it must start with postgres:// or postgresql://");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad("it does not parse as a URL (is the port a number? are special characters in the password %-encoded?)");
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!database) throw bad("it names no database (the path after the host)");
  if (database.includes("/")) throw bad(`its database "${database}" has a slash in it`);
  const schema = url.searchParams.get("schema") ?? undefined;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw bad(`schema "${schema}" must be lowercase letters, digits and underscores, not starting with a digit`);
  }
  url.searchParams.delete("schema");
  return schema === undefined ? { connectionString: url.toString(), display: shown } : { connectionString: url.toString(), schema, display: shown };
}
