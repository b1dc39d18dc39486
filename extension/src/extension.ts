/**
 * aloft for VS Code: starts aloft's language server for each workspace
 * folder that holds TypeScript files (diagnostics, code lenses, hovers), and
 * serves its lenses: runs on the folder's local runner or a remote one,
 * followed in the executions view, log terminals and graph webviews, and
 * debug runs with VS Code's JavaScript debugger attached to a paused task.
 */
import { commands, window, workspace, type ExtensionContext } from "vscode";
import { DEBUG_COMMAND, RUN_LOCALLY_COMMAND, RUN_REMOTE_COMMAND, SHOW_GRAPH_COMMAND, type EntityCommandArgument } from "../../server/protocol.ts";
import { ExecutionCommands } from "./execution-commands.ts";
import { graphStates } from "./execution-state.ts";
import { ExecutionsModel } from "./executions-model.ts";
import { ExecutionsView, type ExecutionElement } from "./executions-view.ts";
import { FolderServers } from "./folder-servers.ts";
import { GraphPanels } from "./graph-panels.ts";
import { LocalRunners } from "./local-runners.ts";
import { LogTerminals } from "./log-terminals.ts";
import { RunController } from "./run-controller.ts";
import { RunStatus } from "./run-status.ts";
import { RunnerTargets } from "./runner-targets.ts";
import { serverSettingsChanged, runnerSettingsChanged } from "./settings.ts";

type ExecutionRef = Extract<ExecutionElement, { executionId: string }>;

let servers: FolderServers | undefined;
let runners: LocalRunners | undefined;

export function activate(context: ExtensionContext): void {
  const output = window.createOutputChannel("aloft");
  servers = new FolderServers(output);
  runners = new LocalRunners(output);
  const folderServers = servers;
  const localRunners = runners;
  const model = new ExecutionsModel();
  const targets = new RunnerTargets(localRunners, context.secrets);
  const terminals = new LogTerminals();
  const status = new RunStatus();
  const graphs = new GraphPanels(context.extensionUri, folderServers, (file, entity) => {
    const latest = model.latestOf(entity, (named) => file === named || file.endsWith(`/${named}`));
    const client = latest && targets.clientFor(latest.sourceKey);
    if (!latest || !client) return undefined;
    const logs = { client, executionId: latest.state.id, entity };
    return { states: graphStates(latest.state), openLogs: (nodeId) => terminals.show({ ...logs, nodeId }) };
  });
  const view = new ExecutionsView(model, targets);
  let executionCommands: ExecutionCommands | undefined;
  const runs = new RunController(context.workspaceState, targets, {
    model,
    status,
    graphs,
    terminals,
    openOutputs: async (target, executionId) => executionCommands?.showOutputs(target.client, target.source.key, executionId),
  });
  executionCommands = new ExecutionCommands(model, view, targets, terminals, runs);
  const actions = executionCommands;

  context.subscriptions.push(
    folderServers,
    localRunners,
    output,
    terminals,
    status,
    graphs,
    view,
    workspace.onDidOpenTextDocument((document) => folderServers.serve(document)),
    workspace.onDidChangeWorkspaceFolders(({ removed }) => {
      for (const folder of removed) {
        void folderServers.stop(folder);
        void localRunners.stop(folder);
        model.removeSource(`local:${folder.uri.toString()}`);
      }
      // Documents already open in an added folder are served too.
      for (const document of workspace.textDocuments) folderServers.serve(document);
    }),
    workspace.onDidChangeConfiguration((event) => {
      if (serverSettingsChanged(event)) void folderServers.restart();
      if (runnerSettingsChanged(event)) void view.refresh();
    }),
    commands.registerCommand("aloft.restartServer", () => folderServers.restart()),
    commands.registerCommand("aloft.showOutput", () => output.show()),
    commands.registerCommand(RUN_LOCALLY_COMMAND, (entity: EntityCommandArgument) => runs.run(entity, "local")),
    commands.registerCommand(RUN_REMOTE_COMMAND, (entity: EntityCommandArgument) => runs.run(entity, "remote")),
    commands.registerCommand(SHOW_GRAPH_COMMAND, (entity: EntityCommandArgument) => graphs.show(entity)),
    commands.registerCommand(DEBUG_COMMAND, (entity: EntityCommandArgument) => runs.debug(entity)),
    commands.registerCommand("aloft.setRunnerToken", () => targets.askToken()),
    commands.registerCommand("aloft.executions.refresh", () => view.refresh()),
    commands.registerCommand("aloft.executions.rerun", (element: ExecutionRef) => actions.rerun(element)),
    commands.registerCommand("aloft.executions.openLogs", (element: ExecutionRef) => actions.openLogs(element)),
    commands.registerCommand("aloft.executions.openOutputs", (element: ExecutionRef) => actions.openOutputs(element)),
    commands.registerCommand("aloft.executions.copyId", (element: ExecutionRef) => actions.copyId(element)),
    commands.registerCommand("aloft.executions.replayNode", (element: ExecutionRef) => actions.replayNode(element)),
  );
  for (const document of workspace.textDocuments) folderServers.serve(document);
}

/** VS Code waits for the returned promise, so the servers and local runners exit before the extension host does. */
export async function deactivate(): Promise<void> {
  await Promise.all([servers?.stopAll(), runners?.stopAll()]);
}
