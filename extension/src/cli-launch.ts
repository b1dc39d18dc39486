/**
 * The aloft CLI of a workspace folder and the Node that runs it, found as
 * for the language server (server-location.ts, node-runtime.ts): runs and
 * the local runner use the same aloft the folder's analysis comes from.
 */
import type { WorkspaceFolder } from "vscode";
import { nodeRuntime } from "./node-runtime.ts";
import { locateServer } from "./server-location.ts";
import { serverSettings } from "./settings.ts";

export type CliLaunch = { found: true; runtime: string; cli: string } | { found: false; reason: string };

export function cliLaunch(folder: WorkspaceFolder): CliLaunch {
  const settings = serverSettings(folder);
  const location = locateServer({ folder: folder.uri.fsPath, configuredPath: settings.path });
  if (!location.found) return { found: false, reason: location.reason };
  const runtime = nodeRuntime(settings.runtime, { execPath: process.execPath, versions: process.versions });
  return { found: true, runtime: runtime.command, cli: location.cli };
}
