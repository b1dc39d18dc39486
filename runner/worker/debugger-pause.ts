/**
 * Pauses a job for a debugger, as `--inspect-brk` pauses a process: opens
 * this process's inspector on loopback (a free port, so several paused
 * workers never collide), says where, and blocks until a debugger attaches
 * and lets the program run. The inspector is opened per job, not at start,
 * so a warm worker pays nothing for the jobs nobody debugs.
 */
import inspector from "node:inspector";
import { resolve } from "node:path";
import type { InspectorEndpoint } from "./protocol.ts";

export async function pauseForDebugger(bundlePath: string, announce: (endpoint: InspectorEndpoint) => Promise<void>): Promise<() => void> {
  inspector.open(0, "127.0.0.1", false);
  const url = new URL(inspector.url()!);
  await announce({ port: Number(url.port), path: url.pathname, bundlePath: resolve(bundlePath) });
  // Returns once a debugger sent Runtime.runIfWaitingForDebugger: after it set its breakpoints.
  inspector.waitForDebugger();
  return () => inspector.close();
}
