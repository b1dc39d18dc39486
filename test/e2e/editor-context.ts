/**
 * What every step of the editor test reaches: the workbench session of the
 * target it runs on, the user's project, this checkout's CLI (what the
 * editor shows is compared with what the CLI says), screenshots, and the
 * timings of the editor's run for the comparison printed at the end.
 */
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import type { Screenshots } from "./screenshots.ts";
import type { WorkbenchSession } from "./workbench-session.ts";

export const repo = resolve(import.meta.dirname, "../..");
export const cli = join(repo, "dist/cli.js");

/** Milliseconds from the click on ▶ Run locally. */
export interface EditorRunTimings {
  formShownMs?: number;
  firstLogMs?: number;
  completedMs?: number;
  firstLogAfterFormMs?: number;
  completedAfterFormMs?: number;
}

export interface EditorContext {
  /** The session started by the suite's `before`; throws before then. */
  readonly session: WorkbenchSession;
  /** The user's project, open in the workbench. */
  readonly workspace: string;
  readonly shots: Screenshots;
  readonly editorRun: EditorRunTimings;
  /** Runs a test's steps; on failure saves a screenshot and the logs, and says where. */
  step(name: string, body: () => Promise<void>): Promise<void>;
}

/** Runs the aloft CLI of this checkout in `cwd`. */
export function aloft(args: string[], cwd: string): string {
  try {
    return execFileSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8" });
  } catch (error) {
    // `aloft check` exits 1 when it finds errors, which is what the planted file is for.
    const { status, stdout } = error as { status?: number; stdout?: string };
    if (status === 1 && stdout) return stdout;
    throw error;
  }
}
