/**
 * Which runner a command talks to, and with which token: `--runner` and
 * `--token` first, then `ALOFT_RUNNER` and `ALOFT_TOKEN`, then a runner
 * started in this workspace (`aloft runner start`, default port, its admin
 * token in `.aloft/runner-token`).
 */
import { existsSync, readFileSync } from "node:fs";
import { AloftError } from "../../compiler/errors.ts";
import { DEFAULT_RUNNER_PORT } from "../service/protocol.ts";
import type { Workspace } from "../workspace.ts";
import type { RunnerEndpoint } from "./runner-client.ts";

export interface EndpointFlags {
  runner?: string;
  token?: string;
}

export function resolveRunnerEndpoint(flags: EndpointFlags, workspace: Workspace, env: NodeJS.ProcessEnv = process.env): RunnerEndpoint {
  const localToken = existsSync(workspace.runnerToken) ? readFileSync(workspace.runnerToken, "utf8").trim() : undefined;
  const url = flags.runner ?? env.ALOFT_RUNNER ?? (localToken ? `http://127.0.0.1:${DEFAULT_RUNNER_PORT}` : undefined);
  if (!url) {
    throw new AloftError({
      code: "NO_RUNNER",
      message: "no runner configured: pass --runner URL (and --token TOKEN), set ALOFT_RUNNER (and ALOFT_TOKEN), or start one here with aloft runner start",
    });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AloftError({ code: "RUNNER_URL_INVALID", message: `the runner URL "${url}" is not a URL; it looks like http://HOST:PORT` });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new AloftError({ code: "RUNNER_URL_INVALID", message: `the runner URL "${url}" must start with http:// or https://` });
  }
  const token = flags.token ?? env.ALOFT_TOKEN ?? (isLoopback(parsed.hostname) ? localToken : undefined);
  if (!token) {
    throw new AloftError({ code: "NO_TOKEN", message: `no token for the runner at ${url}: pass --token TOKEN or set ALOFT_TOKEN (the runner's admin token is in .aloft/runner-token where it runs)` });
  }
  return { url: url.replace(/\/+$/, ""), token };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]" || host === "::1";
}
