/**
 * A debugger for tests, speaking the Chrome DevTools Protocol through
 * chrome-remote-interface: it breaks at a line of the original `.ts` (mapped
 * to the bundle with the same source map a debugger reads), reads variables
 * where it stopped, and lets the task run on.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generatedPositionFor, LEAST_UPPER_BOUND, TraceMap } from "@jridgewell/trace-mapping";
import CDP from "chrome-remote-interface";
import { bundleWorkflowFile } from "../../runner/bundle/bundler.ts";

export interface BundlePosition {
  /** 0-based, as the protocol counts. */
  lineNumber: number;
  columnNumber: number;
}

/**
 * Where `file:line` (1-based) lands in the bundle aloft makes of `file`: the
 * bundle is content-addressed, so this is the code the worker runs.
 */
export async function bundlePositionOf(file: string, line: number): Promise<BundlePosition> {
  const bundle = await bundleWorkflowFile(file, mkdtempSync(join(tmpdir(), "aloft-debug-bundle-")));
  const mapPath = `${bundle.path}.map`;
  const map = new TraceMap(readFileSync(mapPath, "utf8"), mapPath);
  const source = map.resolvedSources.find((s) => resolve(s) === resolve(file));
  if (!source) throw new Error(`the source map of ${bundle.path} does not name ${file}; it names ${map.resolvedSources.join(", ")}`);
  const generated = generatedPositionFor(map, { source, line, column: 0, bias: LEAST_UPPER_BOUND });
  if (generated.line === null) throw new Error(`${file}:${line} has no code in the bundle`);
  return { lineNumber: generated.line - 1, columnNumber: generated.column };
}

export interface Stop {
  /** The expression's value where the debugger stopped, by value. */
  value: unknown;
  /** The function the top frame is in, and whether it stopped on our breakpoint. */
  functionName: string;
  hitOurBreakpoint: boolean;
}

/**
 * Attaches to an inspector waiting with `--inspect-brk` semantics, sets the
 * breakpoint, lets the program run, waits for the stop, evaluates
 * `expression` in the top frame, resumes and detaches.
 */
export async function breakAndInspect(
  websocketUrl: string,
  at: BundlePosition,
  expression: string,
  timeoutMs = 60_000,
  /** Called while stopped, before resuming: a fault test cuts the connection here (resolves once it did). */
  whileStopped?: () => Promise<void>,
): Promise<Stop> {
  const client = await CDP({ target: websocketUrl, local: true });
  try {
    let timer: NodeJS.Timeout | undefined;
    const paused = Promise.race([
      client.Debugger.paused(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the breakpoint was not hit within ${timeoutMs} ms`)), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    await client.Debugger.enable({});
    await client.Runtime.enable();
    const { breakpointId } = await client.Debugger.setBreakpointByUrl({ urlRegex: "bundle\\.mjs$", ...at });
    await client.Runtime.runIfWaitingForDebugger();
    const event = await paused;
    const top = event.callFrames[0]!;
    const evaluated = await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression, returnByValue: true });
    if (evaluated.exceptionDetails) throw new Error(`${expression} threw where the debugger stopped: ${evaluated.exceptionDetails.text}`);
    if (whileStopped) {
      const disconnected = new Promise<void>((resolveGone) => client.on("disconnect", () => resolveGone()));
      await whileStopped();
      await disconnected;
    }
    await client.Debugger.removeBreakpoint({ breakpointId });
    await client.Debugger.resume({});
    return { value: evaluated.result.value, functionName: top.functionName, hitOurBreakpoint: (event.hitBreakpoints ?? []).includes(breakpointId) };
  } finally {
    await client.close();
  }
}
