/**
 * `aloft lsp [--stdio]`: the language server on stdio, for any editor
 * (`cmd = { "aloft", "lsp" }`). Editors add `--stdio` (and VS Code's client
 * `--clientProcessId=N`, which the server library reads itself); both are
 * accepted.
 */
import { fileURLToPath } from "node:url";
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
  const { startServer } = (await import(serverEntry())) as typeof import("../../server/main.ts");
  startServer();
  // The server ends the process when the client closes the connection.
  return new Promise<number>(() => {});
}

/**
 * The server is its own bundle (dist/server.js), loaded only by this command:
 * its protocol libraries would otherwise slow the start of every other one.
 */
function serverEntry(): string {
  const fromSource = fileURLToPath(import.meta.url).endsWith(".ts");
  return new URL(fromSource ? "../../server/main.ts" : "./server.js", import.meta.url).href;
}
