/**
 * One language server per workspace folder, started when the first
 * TypeScript file of that folder opens, with the aloft that folder installs
 * (folders may use different aloft versions). A folder without aloft gets
 * one warning naming where the extension looked, and no server.
 */
import { commands, window, workspace, type Disposable, type OutputChannel, type TextDocument, type WorkspaceFolder } from "vscode";
import type { LanguageClient } from "vscode-languageclient/node.js";
import { createLanguageClient } from "./language-client.ts";
import { nodeRuntime } from "./node-runtime.ts";
import { locateServer } from "./server-location.ts";
import { serverSettings } from "./settings.ts";

type FolderState = { name: string } & ({ client: LanguageClient } | { missing: string });

export class FolderServers implements Disposable {
  private readonly folders = new Map<string, FolderState>();

  constructor(private readonly output: OutputChannel) {}

  /** Starts the server of the document's folder, if the document is one aloft checks and its folder has none yet. */
  serve(document: TextDocument): void {
    if (document.languageId !== "typescript" || document.uri.scheme !== "file") return;
    const folder = workspace.getWorkspaceFolder(document.uri);
    if (folder && !this.folders.has(folder.uri.toString())) this.start(folder);
  }

  /** The running language client of a folder, for aloft's own requests (`aloft/graph`). */
  clientFor(folder: WorkspaceFolder): LanguageClient | undefined {
    const state = this.folders.get(folder.uri.toString());
    return state && "client" in state ? state.client : undefined;
  }

  async stop(folder: WorkspaceFolder): Promise<void> {
    const state = this.folders.get(folder.uri.toString());
    this.folders.delete(folder.uri.toString());
    if (state && "client" in state) await this.stopClient(state.name, state.client);
  }

  /** Stops every server and starts them again for the open documents: after a settings change, or on request. */
  async restart(): Promise<void> {
    await this.stopAll();
    for (const document of workspace.textDocuments) this.serve(document);
  }

  async stopAll(): Promise<void> {
    const states = [...this.folders.values()];
    this.folders.clear();
    await Promise.all(states.map((state) => ("client" in state ? this.stopClient(state.name, state.client) : undefined)));
  }

  dispose(): void {
    void this.stopAll();
  }

  private start(folder: WorkspaceFolder): void {
    const key = folder.uri.toString();
    const settings = serverSettings(folder);
    const location = locateServer({ folder: folder.uri.fsPath, configuredPath: settings.path });
    if (!location.found) {
      this.folders.set(key, { name: folder.name, missing: location.reason });
      this.output.appendLine(`[${folder.name}] no language server: ${location.reason}`);
      void window.showWarningMessage(`aloft: no language server for "${folder.name}". ${location.reason}`, "Open Settings").then((choice) => {
        if (choice) void commands.executeCommand("workbench.action.openSettings", "aloft.server");
      });
      return;
    }
    const runtime = nodeRuntime(settings.runtime, { execPath: process.execPath, versions: process.versions });
    this.output.appendLine(`[${folder.name}] starting the language server: ${runtime.command} ${location.cli} lsp --stdio (CLI: ${location.how}; Node: ${runtime.how})`);
    const client = createLanguageClient(folder, { cli: location.cli, runtime }, this.output);
    this.folders.set(key, { name: folder.name, client });
    client.start().catch((error: unknown) => {
      this.output.appendLine(`[${folder.name}] the language server did not start: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private async stopClient(name: string, client: LanguageClient): Promise<void> {
    try {
      await client.stop();
    } catch (error) {
      this.output.appendLine(`[${name}] stopping the language server: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
