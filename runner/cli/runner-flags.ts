/**
 * The flags that point a command at a runner service instead of the local
 * workspace: `--remote` (the runner of ALOFT_RUNNER, or the one started in
 * this workspace), `--runner URL`, `--token T` (or `--runner=URL`, `--token=T`).
 * What is left is the command's own.
 */
import { RunnerClient } from "../remote/runner-client.ts";
import { resolveRunnerEndpoint } from "../remote/runner-endpoint.ts";
import type { Workspace } from "../workspace.ts";
import { UsageError } from "./usage.ts";

export interface RunnerFlags {
  remote: boolean;
  runner?: string;
  token?: string;
  rest: string[];
}

export function takeRunnerFlags(args: string[]): RunnerFlags {
  const flags: RunnerFlags = { remote: false, rest: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = /^--(runner|token)=/.test(arg) ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (flag === "--remote") flags.remote = true;
    else if (flag === "--runner" || flag === "--token") {
      // `--token=T` takes T as it is, even one starting with "--" (a token issued before tokens had their prefix may).
      const value = inline ?? args[++i];
      if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) throw new UsageError(`${flag} needs a value (${flag} VALUE or ${flag}=VALUE)`);
      if (flag === "--runner") flags.runner = value;
      else flags.token = value;
      flags.remote = true;
    } else flags.rest.push(arg);
  }
  return flags;
}

export function runnerClient(flags: RunnerFlags, workspace: Workspace): RunnerClient {
  return new RunnerClient(resolveRunnerEndpoint({ runner: flags.runner, token: flags.token }, workspace));
}
