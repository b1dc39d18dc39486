#!/usr/bin/env node
/**
 * The `aloft` command line.
 */
import { AloftError } from "../../compiler/errors.ts";
import { formatError } from "./format.ts";
import { USAGE, UsageError } from "./usage.ts";

type Command = (args: string[]) => Promise<number>;

// Each command loads only what it needs: `aloft check` must not pay for the
// Kubernetes client, nor `aloft run` for the language server.
const commands: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./run-command.ts")).runCommand,
  check: async () => (await import("./check-command.ts")).checkCommand,
  graph: async () => (await import("./graph-command.ts")).graphCommand,
  executions: async () => (await import("./executions-command.ts")).executionsCommand,
  logs: async () => (await import("./logs-command.ts")).logsCommand,
  debug: async () => (await import("./debug-command.ts")).debugCommand,
  lsp: async () => (await import("./lsp-command.ts")).lspCommand,
  runner: async () => (await import("./runner-command.ts")).runnerCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) throw new UsageError(`unknown command "${name}"`);
  return (await load())(args);
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
