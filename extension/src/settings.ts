/** The extension's settings, read for one workspace folder; the names live here only. */
import { workspace, type ConfigurationChangeEvent, type WorkspaceFolder } from "vscode";

export interface ServerSettings {
  /** `aloft.server.path`: the aloft CLI to run; empty for the folder's own aloft. */
  path: string;
  /** `aloft.server.runtime`: the Node to run it with; empty for the default. */
  runtime: string;
}

export function serverSettings(folder: WorkspaceFolder): ServerSettings {
  const config = workspace.getConfiguration("aloft.server", folder);
  return { path: config.get<string>("path") ?? "", runtime: config.get<string>("runtime") ?? "" };
}

/** Whether a settings change means the servers must start again. */
export function serverSettingsChanged(event: ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration("aloft.server");
}

export interface RunnerSettings {
  /** `aloft.runner.url`: the remote runner; empty when none is configured. */
  url: string;
  /** `aloft.project`: the project remote executions belong to; empty for the token's own. */
  project: string;
  /** `aloft.domain`: the domain runs are submitted in; empty for the runner's default (development). */
  domain: string;
}

export function runnerSettings(folder: WorkspaceFolder): RunnerSettings {
  const config = workspace.getConfiguration("aloft", folder);
  return {
    url: (config.get<string>("runner.url") ?? "").trim().replace(/\/+$/, ""),
    project: (config.get<string>("project") ?? "").trim(),
    domain: (config.get<string>("domain") ?? "").trim(),
  };
}

/** Whether a settings change means the executions of remote runners must be read again. */
export function runnerSettingsChanged(event: ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration("aloft.runner") || event.affectsConfiguration("aloft.project") || event.affectsConfiguration("aloft.domain");
}
