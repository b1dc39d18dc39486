/**
 * Opens the state store a `--db` value names: `postgres://…` (or
 * `postgresql://…`) is PostgreSQL; `sqlite:PATH`, or a bare path, is a
 * SQLite file.
 */
import { resolve } from "node:path";
import { AloftError } from "../../compiler/errors.ts";
import { openPostgresStore, type PostgresStoreOptions } from "./postgres-store.ts";
import { isPostgresUrl } from "./postgres-url.ts";
import { openSqliteStore, type SqliteStoreOptions } from "./sqlite-store.ts";
import type { StateStore } from "./state-store.ts";

export type StoreKind = "sqlite" | "postgres";

export function storeKindOf(url: string): StoreKind {
  return isPostgresUrl(url) ? "postgres" : "sqlite";
}

export async function openStore(url: string, options: SqliteStoreOptions & PostgresStoreOptions = {}): Promise<StateStore> {
  if (isPostgresUrl(url)) return openPostgresStore(url, options);
  const path = url.startsWith("sqlite:") ? url.slice("sqlite:".length) : url;
  if (!path || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new AloftError({
      code: "STORE_BAD_URL",
      message: `"${url}" names no state database aloft knows: use sqlite:PATH (or a path) for a SQLite file, or postgres://USER@HOST[:PORT]/DATABASE`,
    });
  }
  return openSqliteStore(path === ":memory:" ? path : resolve(path), options);
}
