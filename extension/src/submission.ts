/**
 * Submitting a run is the CLI's job: `aloft run --remote --detach --json
 * --runner URL [--project P] [--domain D] FILE ENTITY --input=value ...` in the workspace folder checks,
 * bundles, traces and uploads the file, submits it and prints
 * `{ "executionId", "status", "outputs" }`. The token goes in ALOFT_TOKEN,
 * never on a command line (where `ps` would show it).
 */
import { spawn } from "node:child_process";
import { isAbsolute, relative } from "node:path";
import { scopeNameProblem } from "../../runner/service/protocol.ts";
import type { RunnerEndpoint } from "./runner-client.ts";

export interface Submission {
  runtime: string;
  cli: string;
  folder: string;
  endpoint: RunnerEndpoint;
  /** Absolute path of the workflow file. */
  file: string;
  entity: string;
  /** `--name=value` arguments of the inputs. */
  inputArgs: string[];
  /** `aloft.project`, for remote runners. */
  project?: string;
  /** `aloft.domain`, for local and remote runners alike. */
  domain?: string;
  /** Run although the file has errors (`--skip-check`). */
  skipCheck: boolean;
  /** A node id or task name whose attempt waits for a debugger (`--debug`). */
  debug?: string;
}

export type SubmitOutcome =
  | { kind: "submitted"; executionId: string }
  /** The file has errors: the CLI's diagnostics, one a line. */
  | { kind: "check-failed"; diagnostics: string[]; summary: string }
  | { kind: "failed"; message: string };

/** The file as the runner will show it: relative to the folder the CLI runs in, when inside it. */
export function fileArgument(folder: string, file: string): string {
  const inside = relative(folder, file);
  return inside && !inside.startsWith("..") && !isAbsolute(inside) ? inside : file;
}

export function submitArgs(submission: Submission): string[] {
  return [
    submission.cli,
    "run",
    "--remote",
    "--detach",
    "--json",
    "--runner",
    submission.endpoint.url,
    ...(submission.project ? ["--project", submission.project] : []),
    ...(submission.domain ? ["--domain", submission.domain] : []),
    ...(submission.skipCheck ? ["--skip-check"] : []),
    ...(submission.debug ? ["--debug", submission.debug] : []),
    fileArgument(submission.folder, submission.file),
    submission.entity,
    ...submission.inputArgs,
  ];
}

const CHECK_FAILED = /has \d+ error\(s\); fix them or pass --skip-check to run anyway/;
const ANSI = /\u001b\[[0-9;]*m/g;

/** What the CLI's exit code and output say. Exit 2 is also a refused input or an unreachable runner: only the check's own last line means errors in the file. */
export function readSubmitOutcome(code: number | null, stdout: string, stderr: string): SubmitOutcome {
  const errorText = stderr.replace(ANSI, "").trim();
  if (code === 0) {
    const line = stdout.trim().split("\n").pop() ?? "";
    try {
      const { executionId } = JSON.parse(line) as { executionId?: unknown };
      if (typeof executionId === "string") return { kind: "submitted", executionId };
    } catch {
      // Reported below with what was printed.
    }
    return { kind: "failed", message: `aloft run printed no execution id: ${JSON.stringify(stdout.slice(0, 300))}` };
  }
  const lines = errorText.split("\n");
  const summary = lines.find((line) => CHECK_FAILED.test(line));
  if (code === 2 && summary) return { kind: "check-failed", diagnostics: lines.filter((line) => line && line !== summary), summary };
  // `error [CODE] message`: the message is what the user reads; the first line carries it.
  const message = errorText.replace(/^error \[[A-Z_0-9]+\] /, "") || `aloft run ended with ${code === null ? "a signal" : `exit ${code}`} and printed nothing`;
  return { kind: "failed", message };
}

/** What is wrong with the settings a submission came from, named as the user set them; undefined when nothing is. */
export function settingsProblem(submission: Pick<Submission, "domain">): string | undefined {
  if (!submission.domain) return undefined;
  const problem = scopeNameProblem("the aloft.domain setting", submission.domain);
  return problem && `${problem}; change it in the settings, or clear it for the runner's default domain (development)`;
}

export function submit(submission: Submission): Promise<SubmitOutcome> {
  const problem = settingsProblem(submission);
  if (problem) return Promise.resolve({ kind: "failed", message: problem });
  return new Promise((resolve) => {
    const child = spawn(submission.runtime, submitArgs(submission), {
      cwd: submission.folder,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: "1", NO_COLOR: "1", ALOFT_TOKEN: submission.endpoint.token },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error) => resolve({ kind: "failed", message: `cannot start ${submission.runtime}: ${error.message}` }));
    child.on("close", (code) => resolve(readSubmitOutcome(code, stdout, stderr)));
  });
}
