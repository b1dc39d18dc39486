/**
 * The admin token on disk: `.aloft/runner-token`, mode 0600, read by clients on
 * this machine. The first start creates it; later starts reuse it as long as
 * the database still knows its hash.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { AloftError } from "../../compiler/errors.ts";
import type { StateStore } from "../store/state-store.ts";
import { findToken, issueToken } from "./tokens.ts";

export type AdminTokenOutcome =
  | { kind: "reused"; path: string; tokenId: string; tightenedMode: boolean }
  /** `replaced`: the file held a token this database does not know as an admin token. */
  | { kind: "created"; path: string; tokenId: string; replaced: boolean };

export async function ensureAdminToken(store: StateStore, path: string): Promise<AdminTokenOutcome> {
  const existing = readTokenFile(path);
  if (existing !== undefined) {
    const record = await findToken(store, existing);
    if (record?.scope.kind === "admin") {
      const tightenedMode = (statSync(path).mode & 0o077) !== 0;
      if (tightenedMode) chmodSync(path, 0o600);
      return { kind: "reused", path, tokenId: record.id, tightenedMode };
    }
  }
  const { token, record } = await issueToken(store, { kind: "admin" }, `admin token of ${path}`);
  writeTokenFile(path, token);
  return { kind: "created", path, tokenId: record.id, replaced: existing !== undefined };
}

function readTokenFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const token = readFileSync(path, "utf8").trim();
    return token || undefined;
  } catch (error) {
    throw new AloftError({ code: "TOKEN_FILE_UNREADABLE", kind: "system", message: `cannot read the runner token file ${path}: ${(error as Error).message}` });
  }
}

/** Written beside and renamed over, so a reader never sees half a token or a moment of looser mode. */
function writeTokenFile(path: string, token: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, `${token}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, path);
  } catch (error) {
    throw new AloftError({
      code: "TOKEN_FILE_UNWRITABLE",
      kind: "system",
      message: `cannot write the runner token file ${path}: ${(error as Error).message}; check that ${dirname(path)} is writable by this user`,
    });
  }
}
