/**
 * The language client of one workspace folder: `node <cli.js> lsp --stdio`
 * from that folder, for the TypeScript files inside it. Diagnostics, code
 * lenses and hovers are plain LSP, which the client library shows as they
 * come; aloft's own requests and lens commands use server/protocol.ts.
 */
import { workspace, type OutputChannel, type WorkspaceFolder } from "vscode";
import { LanguageClient, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node.js";
import { DIAGNOSTIC_SOURCE } from "../../server/protocol.ts";
import { withoutTypescriptDuplicates } from "./diagnostic-filter.ts";
import type { NodeRuntime } from "./node-runtime.ts";

export interface ServerLaunch {
  cli: string;
  runtime: NodeRuntime;
}

export function createLanguageClient(folder: WorkspaceFolder, launch: ServerLaunch, output: OutputChannel): LanguageClient {
  const server: ServerOptions = {
    command: launch.runtime.command,
    args: [launch.cli, "lsp", "--stdio"],
    // Without ELECTRON_RUN_AS_NODE a configured Electron would open a window instead of running the script.
    options: { cwd: folder.uri.fsPath, env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" } },
  };
  const client: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "typescript", pattern: `${globEscape(folder.uri.fsPath)}/**/*` }],
    workspaceFolder: folder,
    diagnosticCollectionName: DIAGNOSTIC_SOURCE,
    outputChannel: output,
    middleware: {
      handleDiagnostics(uri, diagnostics, next) {
        const editorChecksTypescript = workspace.getConfiguration("typescript.validate", folder).get<boolean>("enable", true);
        next(uri, withoutTypescriptDuplicates(diagnostics, editorChecksTypescript));
      },
    },
  };
  return new LanguageClient("aloft", `aloft (${folder.name})`, server, client);
}

/** A folder path as a glob that matches only itself. */
function globEscape(path: string): string {
  return path.replace(/[[\]{}*?!]/g, "[$&]");
}
