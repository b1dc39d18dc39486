/**
 * Where a run goes and where the side bar reads executions from: the
 * folder's local runner, or the remote runner of `aloft.runner.url` with its
 * token from SecretStorage (never from settings). Each runner is a source of
 * the executions model; its client is kept by the source's key.
 */
import { commands, window, workspace, type SecretStorage, type WorkspaceFolder } from "vscode";
import type { SourceInfo } from "./executions-model.ts";
import type { LocalRunners } from "./local-runners.ts";
import { RunnerClient, RunnerError, type RunnerEndpoint } from "./runner-client.ts";
import { runnerSettings } from "./settings.ts";

export type Where = "local" | "remote";

export interface RunnerTarget {
  where: Where;
  source: SourceInfo;
  folder: WorkspaceFolder;
  endpoint: RunnerEndpoint;
  client: RunnerClient;
  /** `aloft.project`, for remote runs. */
  project?: string;
}

/** Why there is no remote target, and what the user can do about it. */
export interface TargetProblem {
  problem: string;
  action?: { title: string; run: () => unknown };
}

const TOKEN_KEY = "aloft.runner.token:";

export class RunnerTargets {
  private readonly clients = new Map<string, RunnerClient>();

  constructor(
    private readonly locals: LocalRunners,
    private readonly secrets: SecretStorage,
  ) {}

  clientFor(sourceKey: string): RunnerClient | undefined {
    return this.clients.get(sourceKey);
  }

  async local(folder: WorkspaceFolder): Promise<RunnerTarget> {
    const runner = await this.locals.ensure(folder);
    const source = { key: `local:${folder.uri.toString()}`, label: `local runner (${folder.name})` };
    return { where: "local", source, folder, endpoint: runner, client: this.client(source.key, runner) };
  }

  /** The remote target of the folder's settings, or the problem (no URL, no token, not reachable). */
  async remote(folder: WorkspaceFolder): Promise<RunnerTarget | TargetProblem> {
    const { url, project } = runnerSettings(folder);
    if (!url) {
      return {
        problem: "no runner configured: set aloft.runner.url to the URL of an aloft runner service",
        action: { title: "Open Settings", run: () => commands.executeCommand("workbench.action.openSettings", "aloft.runner.url") },
      };
    }
    const token = await this.secrets.get(TOKEN_KEY + url);
    if (!token) {
      return { problem: `no token for the runner at ${url}: aloft: Set Runner Token stores one`, action: { title: "Set Runner Token", run: () => this.askToken(folder) } };
    }
    const source = { key: `remote:${url}`, label: url };
    const client = this.client(source.key, { url, token });
    try {
      await client.health();
    } catch (error) {
      const message = error instanceof RunnerError ? error.message : String(error);
      return { problem: message, action: { title: "Open Settings", run: () => commands.executeCommand("workbench.action.openSettings", "aloft.runner.url") } };
    }
    return { where: "remote", source, folder, endpoint: { url, token }, client, ...(project ? { project } : {}) };
  }

  /** `aloft: Set Runner Token`: asks for the token of the configured runner and keeps it in SecretStorage; empty forgets it. */
  async askToken(folder = activeFolder()): Promise<void> {
    const url = folder ? runnerSettings(folder).url : "";
    if (!url) {
      const choice = await window.showWarningMessage("aloft: no runner configured: set aloft.runner.url first", "Open Settings");
      if (choice) await commands.executeCommand("workbench.action.openSettings", "aloft.runner.url");
      return;
    }
    const token = await window.showInputBox({
      title: `aloft: token for the runner at ${url}`,
      prompt: "Kept in VS Code's secret storage, never in settings. Leave empty to forget the stored one.",
      password: true,
      ignoreFocusOut: true,
    });
    if (token === undefined) return;
    if (token.trim()) await this.secrets.store(TOKEN_KEY + url, token.trim());
    else await this.secrets.delete(TOKEN_KEY + url);
    this.clients.delete(`remote:${url}`);
    void window.showInformationMessage(token.trim() ? `aloft: token stored for ${url}` : `aloft: token for ${url} forgotten`);
  }

  private client(key: string, endpoint: RunnerEndpoint): RunnerClient {
    const known = this.clients.get(key);
    // A restarted local runner listens elsewhere: a new client then.
    if (known && known.url === endpoint.url.replace(/\/+$/, "")) return known;
    const client = new RunnerClient(endpoint);
    this.clients.set(key, client);
    return client;
  }
}

/** The folder of the active editor, else the first folder. */
export function activeFolder(): WorkspaceFolder | undefined {
  const uri = window.activeTextEditor?.document.uri;
  return (uri && workspace.getWorkspaceFolder(uri)) || workspace.workspaceFolders?.[0];
}

export function isTargetProblem(value: RunnerTarget | TargetProblem): value is TargetProblem {
  return "problem" in value;
}
