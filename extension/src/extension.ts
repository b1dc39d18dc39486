/**
 * aloft for VS Code: starts aloft's language server for each workspace
 * folder that holds TypeScript files (diagnostics, code lenses, hovers).
 */
import { commands, window, workspace, type ExtensionContext } from "vscode";
import { FolderServers } from "./folder-servers.ts";
import { serverSettingsChanged } from "./settings.ts";

let servers: FolderServers | undefined;

export function activate(context: ExtensionContext): void {
  const output = window.createOutputChannel("aloft");
  servers = new FolderServers(output);
  const folderServers = servers;
  context.subscriptions.push(
    folderServers,
    output,
    workspace.onDidOpenTextDocument((document) => folderServers.serve(document)),
    workspace.onDidChangeWorkspaceFolders(({ removed }) => {
      for (const folder of removed) void folderServers.stop(folder);
      // Documents already open in an added folder are served too.
      for (const document of workspace.textDocuments) folderServers.serve(document);
    }),
    workspace.onDidChangeConfiguration((event) => {
      if (serverSettingsChanged(event)) void folderServers.restart();
    }),
    commands.registerCommand("aloft.restartServer", () => folderServers.restart()),
    commands.registerCommand("aloft.showOutput", () => output.show()),
  );
  for (const document of workspace.textDocuments) folderServers.serve(document);
}

/** VS Code waits for the returned promise, so the servers exit before the extension host does. */
export function deactivate(): Promise<void> | undefined {
  return servers?.stopAll();
}
