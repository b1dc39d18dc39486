#!/usr/bin/env node
/**
 * The `aloft` command line.
 */
import { AloftError } from "../../compiler/errors.ts";
import { checkCommand } from "./check-command.ts";
import { graphCommand } from "./graph-command.ts";
import { executionsCommand } from "./executions-command.ts";
import { formatError } from "./format.ts";
import { logsCommand } from "./logs-command.ts";
import { lspCommand } from "./lsp-command.ts";
import { runCommand } from "./run-command.ts";
import { runnerCommand } from "./runner-command.ts";
import { USAGE, UsageError } from "./usage.ts";

const commands: Record<string, (args: string[]) => Promise<number>> = {
  run: runCommand,
  check: checkCommand,
  graph: graphCommand,
  executions: executionsCommand,
  logs: logsCommand,
  lsp: lspCommand,
  runner: runnerCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}"`);
  return command(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      if (error.message) process.stderr.write(`aloft: ${error.message}\n`);
      if (error.exitCode === 2) process.stderr.write(`\n${USAGE}`);
      process.exitCode = error.exitCode;
    } else if (error instanceof AloftError) {
      process.stderr.write(`${formatError(error.info)}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`aloft: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 70;
    }
  },
);
