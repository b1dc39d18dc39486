/**
 * A display for a desktop VS Code on Linux: the one the environment has
 * (DISPLAY, WAYLAND_DISPLAY), or a private Xvfb that says which display it
 * took once it is ready (-displayfd), so no number is guessed.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";

export interface Display {
  /** Environment for the editor: DISPLAY of a private Xvfb, or nothing to change. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

export async function ensureDisplay(): Promise<Display> {
  if (process.platform !== "linux" || process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return { env: {}, stop: async () => {} };
  if (spawnSync("sh", ["-c", "command -v Xvfb"]).status !== 0) {
    throw new Error("a desktop VS Code needs a display, and there is none: set DISPLAY, run the test under xvfb-run, or install Xvfb (apt-get install xvfb)");
  }
  const xvfb = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"], { stdio: ["ignore", "ignore", "pipe", "pipe"] });
  let said = "";
  xvfb.stderr!.on("data", (chunk: Buffer) => (said += chunk.toString("utf8")));
  const number = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`Xvfb named no display within ${READY_TIMEOUT_MS / 1000} s: ${said.trim()}`)), READY_TIMEOUT_MS);
    let written = "";
    (xvfb.stdio[3] as NodeJS.ReadableStream).on("data", (chunk: Buffer) => {
      written += chunk.toString("utf8");
      if (written.includes("\n")) {
        clearTimeout(timer);
        done(written.trim());
      }
    });
    xvfb.once("exit", (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`Xvfb ended (${code ?? signal}) before it named a display: ${said.trim()}`));
    });
  });
  return { env: { DISPLAY: `:${number}` }, stop: () => stopProcess(xvfb) };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once("exit", () => done());
    child.kill("SIGTERM");
  });
}
