/**
 * Following an execution started from the editor: its events stream updates
 * the executions view, the graph of its workflow and a cancellable progress
 * notification; a status bar item shows it runs, its logs open in a
 * terminal, and a message tells how it ended.
 */
import { ProgressLocation, window } from "vscode";
import type { EntityCommandArgument } from "../../server/protocol.ts";
import { ExecutionState, graphStates } from "./execution-state.ts";
import { formatDuration } from "./execution-tree-model.ts";
import type { ExecutionsModel } from "./executions-model.ts";
import type { GraphPanels } from "./graph-panels.ts";
import type { LogTerminals } from "./log-terminals.ts";
import { RunnerError } from "./runner-client.ts";
import type { RunnerTarget } from "./runner-targets.ts";
import type { RunStatus } from "./run-status.ts";
import { fileArgument } from "./submission.ts";

export interface SessionParts {
  model: ExecutionsModel;
  status: RunStatus;
  graphs: GraphPanels;
  terminals: LogTerminals;
  openOutputs(target: RunnerTarget, executionId: string): Promise<void>;
}

export async function followRun(parts: SessionParts, target: RunnerTarget, entity: EntityCommandArgument, executionId: string): Promise<void> {
  const { model, status, graphs, terminals } = parts;
  const state = model.add(
    target.source,
    new ExecutionState({
      executionId,
      project: target.project ?? "",
      // Named by the runner's first snapshot.
      domain: "",
      entity: entity.entity,
      kind: entity.kind,
      file: fileArgument(target.folder.uri.fsPath, entity.file),
      status: "running",
      createdAt: new Date().toISOString(),
      endedAt: null,
    }),
  );
  state.followed = true;
  status.started(executionId, entity.entity);
  const logs = { client: target.client, executionId, entity: entity.entity };
  terminals.show(logs, true);
  const shown = () => ({ states: graphStates(state), openLogs: (nodeId: string) => terminals.show({ ...logs, nodeId }) });
  let failure: unknown;
  try {
    await window.withProgress({ location: ProgressLocation.Notification, title: `aloft: ${entity.entity}`, cancellable: true }, async (progress, cancel) => {
      progress.report({ message: `execution ${executionId} submitted to ${target.source.label}` });
      let reported = 0;
      const stream = target.client.events(executionId, (message) => {
        const changed = state.apply(message);
        if (changed) {
          model.changed();
          graphs.update(entity.file, entity.entity, shown());
        }
        const { done, total } = state.topLevelDone();
        const share = total ? (done / total) * 100 : 0;
        const last = state.lastLog ? ` · ${state.lastLog.nodeId}: ${state.lastLog.text.slice(0, 80)}` : "";
        progress.report({ message: `${done} of ${total} steps done${last}`, increment: share - reported });
        reported = share;
      });
      cancel.onCancellationRequested(() => {
        target.client.cancel(executionId).catch((error: unknown) => void window.showErrorMessage(`aloft: cannot cancel ${executionId}: ${messageOf(error)}`));
      });
      await stream.done;
    });
  } catch (error) {
    failure = error;
  } finally {
    state.followed = false;
    status.ended(executionId);
  }
  if (failure instanceof RunnerError && failure.notFound) {
    model.remove(target.source.key, executionId);
    void window.showWarningMessage(`aloft: execution ${executionId} no longer exists on ${target.source.label}: it was deleted; removed from the executions view`);
    return;
  }
  if (failure) {
    model.changed();
    void window.showWarningMessage(`aloft: stopped following ${entity.entity} (${executionId}): ${messageOf(failure)}. The execution goes on on the runner; refresh the executions view to see it.`);
    return;
  }
  await announceEnd(parts, target, state);
}

async function announceEnd(parts: SessionParts, target: RunnerTarget, state: ExecutionState): Promise<void> {
  const { summary } = state;
  const took = summary.endedAt ? formatDuration(Date.parse(summary.endedAt) - Date.parse(summary.createdAt)) : "";
  const logs = () => parts.terminals.show({ client: target.client, executionId: state.id, entity: summary.entity });
  if (summary.status === "succeeded") {
    const choice = await window.showInformationMessage(`aloft: ${summary.entity} succeeded in ${took} (execution ${state.id})`, "Open Outputs", "Show Logs");
    if (choice === "Open Outputs") await parts.openOutputs(target, state.id);
    if (choice === "Show Logs") logs();
    return;
  }
  const reason = state.error ? `: ${state.error.message}` : "";
  const choice = await window.showErrorMessage(`aloft: ${summary.entity} ${summary.status} after ${took}${reason} (execution ${state.id})`, "Show Logs");
  if (choice) logs();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
