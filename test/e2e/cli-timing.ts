/**
 * The fraud sample run by this checkout's CLI, as a user runs it from the
 * repository (`node dist/cli.js run samples/fraud/training.ts
 * trainingWorkflow --data samples/fraud/data`), in a fresh state folder so
 * that nothing is cached: the figure the editor's run is compared with.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CliTiming {
  firstLogMs: number;
  completedMs: number;
  exitCode: number | null;
  output: string;
}

export function timeCliRun(repo: string): Promise<CliTiming> {
  const state = mkdtempSync(join(tmpdir(), "aloft-e2e-cli-"));
  const started = performance.now();
  let firstLogMs = Number.NaN;
  let output = "";
  return new Promise<CliTiming>((resolve, reject) => {
    const child = spawn(process.execPath, ["dist/cli.js", "run", "samples/fraud/training.ts", "trainingWorkflow", "--data", "samples/fraud/data"], {
      cwd: repo,
      env: { ...process.env, ALOFT_WORKSPACE: state, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const read = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      // The CLI prints a task's log lines as `[node] text`.
      if (Number.isNaN(firstLogMs) && /^\[prepareBatches\] /m.test(output)) firstLogMs = performance.now() - started;
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("error", reject);
    child.on("close", (exitCode) => {
      rmSync(state, { recursive: true, force: true });
      resolve({ firstLogMs, completedMs: performance.now() - started, exitCode, output });
    });
  });
}
