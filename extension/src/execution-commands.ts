/**
 * The executions view's actions: re-run, open logs, open outputs (the
 * execution's detail, as JSON in an untitled document), replay a node under
 * the debugger, copy the id.
 */
import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { commands, env, ProgressLocation, Uri, window, workspace, type CodeLens } from "vscode";
import { RUN_LOCALLY_COMMAND, type EntityCommandArgument } from "../../server/protocol.ts";
import { cliLaunch } from "./cli-launch.ts";
import { attachDebugger, type ReplayOutcome } from "./debug-attach.ts";
import type { ExecutionsModel } from "./executions-model.ts";
import type { ExecutionElement, ExecutionsView } from "./executions-view.ts";
import type { LogTerminals } from "./log-terminals.ts";
import type { RunnerClient } from "./runner-client.ts";
import type { RunController } from "./run-controller.ts";
import { activeFolder, type RunnerTargets } from "./runner-targets.ts";

type ExecutionRef = Extract<ExecutionElement, { executionId: string }>;

export class ExecutionCommands {
  constructor(
    private readonly model: ExecutionsModel,
    private readonly view: ExecutionsView,
    private readonly targets: RunnerTargets,
    private readonly terminals: LogTerminals,
    private readonly runs: RunController,
  ) {}

  openLogs(element: ExecutionRef): void {
    const client = this.client(element);
    const state = this.model.find(element.sourceKey, element.executionId);
    if (!client || !state) return;
    this.terminals.show({ client, executionId: element.executionId, entity: state.summary.entity, ...(element.type === "node" ? { nodeId: element.nodeId } : {}) });
  }

  async openOutputs(element: ExecutionRef): Promise<void> {
    const client = this.client(element);
    if (client) await this.showOutputs(client, element.sourceKey, element.executionId);
  }

  /** Outputs as the runner stores them: files and folders by digest and name. */
  async showOutputs(client: RunnerClient, sourceKey: string, executionId: string): Promise<void> {
    try {
      const detail = await client.getExecution(executionId);
      const shown = { executionId, entity: detail.entity, status: detail.status, outputs: detail.outputs, ...(detail.error ? { error: detail.error } : {}) };
      const document = await workspace.openTextDocument({ language: "json", content: `${JSON.stringify(shown, null, 2)}\n` });
      await window.showTextDocument(document, { preview: false });
    } catch (error) {
      this.view.failed(sourceKey, executionId, error);
    }
  }

  /** Runs a finished node again on this machine, with the inputs it got, under VS Code's debugger. */
  async replayNode(element: ExecutionRef): Promise<void> {
    if (element.type !== "node") return;
    const client = this.client(element);
    const folder = element.sourceKey.startsWith("local:") ? workspace.getWorkspaceFolder(Uri.parse(element.sourceKey.slice("local:".length))) : activeFolder();
    if (!client || !folder) return;
    const launch = cliLaunch(folder);
    if (!launch.found) {
      void window.showErrorMessage(`aloft: cannot replay ${element.nodeId}: ${launch.reason}`);
      return;
    }
    const { nodeId, executionId } = element;
    const onReplayed = (outcome: ReplayOutcome) => {
      const same = outcome.sameAsRecorded === true ? " (as recorded)" : outcome.sameAsRecorded === false ? " (not as recorded)" : "";
      if (outcome.status === "failed") void window.showWarningMessage(`aloft: the replay of ${nodeId} failed${same}: ${outcome.error?.message ?? ""}`);
      else void window.showInformationMessage(`aloft: the replay of ${nodeId} succeeded${same}`);
    };
    await window.withProgress({ location: ProgressLocation.Notification, title: `aloft: replaying ${nodeId} here, with its recorded inputs…` }, () =>
      attachDebugger({ runtime: launch.runtime, cli: launch.cli, folder, endpoint: client.endpoint, executionId, node: nodeId, replay: { onReplayed } }).catch((error: unknown) => {
        void window.showErrorMessage(`aloft: cannot replay ${nodeId}: ${error instanceof Error ? error.message : String(error)}`);
      }),
    );
  }

  async copyId(element: ExecutionRef): Promise<void> {
    await env.clipboard.writeText(element.executionId);
    window.setStatusBarMessage(`aloft: copied ${element.executionId}`, 3000);
  }

  /** The same inputs again when the run started here; else the form, for the entity as the file declares it now. */
  async rerun(element: ExecutionRef): Promise<void> {
    const where = element.sourceKey.startsWith("local:") ? "local" : "remote";
    const recorded = this.runs.recordOf(element.executionId);
    if (recorded) return this.runs.run(recorded.entity, recorded.where, recorded.values);
    const state = this.model.find(element.sourceKey, element.executionId);
    if (!state) return;
    const file = this.localFile(element.sourceKey, state.summary.file);
    if (!file) {
      void window.showErrorMessage(`aloft: cannot re-run ${state.summary.entity}: ${state.summary.file} is in no open workspace folder`);
      return;
    }
    const entity = await entityOf(file, state.summary.entity);
    if (!entity) {
      void window.showErrorMessage(`aloft: cannot re-run: ${file} no longer exports ${state.summary.entity} (or aloft's language server has not read it)`);
      return;
    }
    await this.runs.run(entity, where);
  }

  private client(element: ExecutionRef): RunnerClient | undefined {
    const client = this.targets.clientFor(element.sourceKey);
    if (!client) void window.showErrorMessage(`aloft: not connected to ${element.sourceKey.replace(/^\w+:/, "")}: refresh the executions view`);
    return client;
  }

  /** The runner names the file as the CLI did, relative to the folder it ran in. */
  private localFile(sourceKey: string, file: string): string | undefined {
    if (isAbsolute(file)) return existsSync(file) ? file : undefined;
    const folders = sourceKey.startsWith("local:") ? [Uri.parse(sourceKey.slice("local:".length)).fsPath] : (workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    return folders.map((folder) => join(folder, file)).find((path) => existsSync(path));
  }
}

/** The entity's interface as the language server reads it now: the argument of its `▶ Run locally` lens. */
async function entityOf(file: string, name: string): Promise<EntityCommandArgument | undefined> {
  const uri = Uri.file(file);
  await workspace.openTextDocument(uri);
  const lenses = (await commands.executeCommand<CodeLens[]>("vscode.executeCodeLensProvider", uri, 100)) ?? [];
  for (const lens of lenses) {
    const argument = lens.command?.command === RUN_LOCALLY_COMMAND ? (lens.command.arguments?.[0] as EntityCommandArgument | undefined) : undefined;
    if (argument?.entity === name) return argument;
  }
  return undefined;
}
