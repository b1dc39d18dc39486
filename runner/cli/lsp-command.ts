/**
 * `aloft lsp [--stdio]`: the language server on stdio, for any editor
 * (`cmd = { "aloft", "lsp" }`). Editors add `--stdio` (and VS Code's client
 * `--clientProcessId=N`, which the server library reads itself); both are
 * accepted.
 */
import { startServer } from "../../server/main.ts";
import { UsageError } from "./usage.ts";

export async function lspCommand(args: string[]): Promise<number> {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--stdio" || arg.startsWith("--clientProcessId=")) continue;
    if (arg === "--clientProcessId") {
      i++;
      continue;
    }
    throw new UsageError(`unknown option ${arg} for aloft lsp (it speaks LSP on stdio)`);
  }
  startServer();
  // The server ends the process when the client closes the connection.
  return new Promise<number>(() => {});
}
