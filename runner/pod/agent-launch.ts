/**
 * How a pod built from a stock Node image becomes an aloft task: its command
 * is a few lines of JavaScript that fetch the agent from the runner (with the
 * attempt's token) and run it. Nothing of aloft needs to be in the image.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { AGENT_ENV, API_PREFIX } from "../service/protocol.ts";
import { WORKER_AGENT_PATH, WORKER_ENV, WORKER_MODE } from "./worker-messages.ts";

export const DEFAULT_TASK_IMAGE = "node:20-slim";

const bootstrap = (agentPath: string, tokenEnv: string) => `
const runner = process.env.${AGENT_ENV.runner}, token = process.env.${tokenEnv};
const { writeFile } = await import("node:fs/promises");
const { tmpdir } = await import("node:os");
const { join } = await import("node:path");
const { pathToFileURL } = await import("node:url");
let delay = 250, source;
for (const started = Date.now(); ; delay = Math.min(delay * 2, 10000)) {
  try {
    const response = await fetch(runner + "${API_PREFIX}${agentPath}", { headers: { authorization: "Bearer " + token } });
    if (response.ok) { source = await response.text(); break; }
    if (response.status < 500 && response.status !== 429) { console.error("aloft: the runner refused the agent: " + response.status + " " + await response.text()); process.exit(3); }
  } catch (error) { if (Date.now() - started > 600000) { console.error("aloft: cannot reach the runner at " + runner + ": " + error.message); process.exit(3); } }
  await new Promise((resolve) => setTimeout(resolve, delay));
}
const path = join(tmpdir(), "aloft-agent-" + process.pid + ".mjs");
await writeFile(path, source);
await import(pathToFileURL(path).href);
`.trim();

const ATTEMPT_BOOTSTRAP = bootstrap("/agent.mjs", AGENT_ENV.token);
const WORKER_BOOTSTRAP = bootstrap(WORKER_AGENT_PATH, WORKER_ENV.token);

/** The container command of an attempt's pod (the env carries the runner, token and attempt). */
export function agentCommand(): string[] {
  return ["node", "--enable-source-maps", "--input-type=module", "-e", ATTEMPT_BOOTSTRAP];
}

/** The container command of a warm worker pod: the same agent, fetched with the worker's token. */
export function workerAgentCommand(): string[] {
  return ["node", "--enable-source-maps", "--input-type=module", "-e", WORKER_BOOTSTRAP];
}

/** `heartbeatMs`: how often the runner pings the worker (the worker gives up on a runner silent for much longer). */
export function workerAgentEnv(runnerUrl: string, workerToken: string, heartbeatMs: number): Record<string, string> {
  return { [AGENT_ENV.runner]: runnerUrl, [WORKER_ENV.token]: workerToken, [WORKER_ENV.mode]: WORKER_MODE, [WORKER_ENV.heartbeat]: String(heartbeatMs) };
}

export function agentEnv(runnerUrl: string, token: string, attemptKey: string): Record<string, string> {
  return { [AGENT_ENV.runner]: runnerUrl, [AGENT_ENV.token]: token, [AGENT_ENV.attempt]: attemptKey };
}

let cached: Promise<string> | undefined;

/** The agent as one self-contained ES module: dist/agent.js when aloft is built, else bundled now from source. */
export function agentSource(): Promise<string> {
  cached ??= loadAgentSource();
  return cached;
}

async function loadAgentSource(): Promise<string> {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".ts")) {
    const built = join(dirname(here), "agent.js");
    if (existsSync(built)) return readFile(built, "utf8");
  }
  const result = await build({
    entryPoints: [join(dirname(here), "agent-main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
    // As scripts/build.mjs: the bundled CommonJS packages (ws) require Node's modules.
    banner: { js: 'import { createRequire as __aloftRequire } from "node:module"; const require = __aloftRequire(import.meta.url);' },
  });
  return result.outputFiles[0]!.text;
}
