/**
 * The Executions view in aloft's side bar: recent executions of each runner
 * (read when the view opens and on refresh), and under each its nodes, read
 * when expanded. Executions followed from the editor change as their events
 * come. An execution the runner no longer has is dropped with a message.
 */
import { EventEmitter, ThemeColor, ThemeIcon, TreeItem, TreeItemCollapsibleState, window, workspace, type Disposable, type TreeDataProvider, type TreeView } from "vscode";
import { cliLaunch } from "./cli-launch.ts";
import { executionRow, nodeRow, type Row } from "./execution-tree-model.ts";
import type { ExecutionsModel } from "./executions-model.ts";
import { RunnerError } from "./runner-client.ts";
import { isTargetProblem, type RunnerTargets } from "./runner-targets.ts";
import { runnerSettings } from "./settings.ts";

export type ExecutionElement =
  | { type: "source"; sourceKey: string }
  | { type: "problem"; sourceKey: string; text: string }
  | { type: "execution"; sourceKey: string; executionId: string }
  | { type: "node"; sourceKey: string; executionId: string; nodeId: string };

export const EXECUTIONS_VIEW = "aloft.executions";
const LISTED = 50;

export class ExecutionsView implements TreeDataProvider<ExecutionElement>, Disposable {
  private readonly changes = new EventEmitter<ExecutionElement | undefined>();
  readonly onDidChangeTreeData = this.changes.event;
  readonly view: TreeView<ExecutionElement>;
  private readonly subscriptions: Disposable[] = [];
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly model: ExecutionsModel,
    private readonly targets: RunnerTargets,
  ) {
    this.view = window.createTreeView(EXECUTIONS_VIEW, { treeDataProvider: this, showCollapseAll: true });
    const stopListening = model.onDidChange(() => this.changes.fire(undefined));
    this.subscriptions.push(this.view, this.changes, { dispose: stopListening });
    this.subscriptions.push(this.view.onDidChangeVisibility(({ visible }) => visible && void this.refresh()));
    if (this.view.visible) void this.refresh();
  }

  /** Reads the executions of every runner again: each folder's local one, and each configured remote one. */
  refresh(): Promise<void> {
    this.refreshing ??= this.readAll().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  getTreeItem(element: ExecutionElement): TreeItem {
    const now = Date.now();
    switch (element.type) {
      case "source": {
        const source = this.model.sourceList().find((s) => s.key === element.sourceKey);
        const item = new TreeItem(source?.label ?? element.sourceKey, TreeItemCollapsibleState.Expanded);
        item.id = `source:${element.sourceKey}`;
        item.iconPath = new ThemeIcon(element.sourceKey.startsWith("local:") ? "vm" : "cloud");
        return item;
      }
      case "problem": {
        const item = new TreeItem(element.text, TreeItemCollapsibleState.None);
        item.iconPath = new ThemeIcon("warning", new ThemeColor("problemsWarningIcon.foreground"));
        item.tooltip = element.text;
        return item;
      }
      case "execution": {
        const state = this.model.find(element.sourceKey, element.executionId);
        if (!state) return new TreeItem(element.executionId);
        const item = treeItem(executionRow(state, now), `${element.sourceKey}#${element.executionId}`);
        item.collapsibleState = TreeItemCollapsibleState.Collapsed;
        return item;
      }
      case "node": {
        const state = this.model.find(element.sourceKey, element.executionId);
        const node = state?.nodes?.get(element.nodeId);
        if (!state || !node) return new TreeItem(element.nodeId);
        const item = treeItem(nodeRow(state, node, now), `${element.sourceKey}#${element.executionId}#${element.nodeId}`);
        // Selecting a node opens its logs.
        item.command = { command: "aloft.executions.openLogs", title: "Open Logs", arguments: [element] };
        return item;
      }
    }
  }

  async getChildren(element?: ExecutionElement): Promise<ExecutionElement[]> {
    if (!element) {
      const sources = this.model.sourceList();
      if (sources.length === 1) return this.sourceChildren(sources[0]!.key);
      return sources.map((source) => ({ type: "source", sourceKey: source.key }));
    }
    switch (element.type) {
      case "source":
        return this.sourceChildren(element.sourceKey);
      case "execution": {
        const state = this.model.find(element.sourceKey, element.executionId);
        if (!state) return [];
        if (!state.nodes) {
          const client = this.targets.clientFor(element.sourceKey);
          if (!client) return [];
          try {
            state.loadDetail(await client.getExecution(element.executionId));
          } catch (error) {
            this.failed(element.sourceKey, element.executionId, error);
            return [];
          }
        }
        return state.childrenOf(null).map((node) => ({ ...element, type: "node", nodeId: node.id }));
      }
      case "node": {
        const state = this.model.find(element.sourceKey, element.executionId);
        return (state?.childrenOf(element.nodeId) ?? []).map((node) => ({ ...element, nodeId: node.id }));
      }
      case "problem":
        return [];
    }
  }

  /** A runner's refusal about one execution: one it no longer has is dropped, with a message. */
  failed(sourceKey: string, executionId: string, error: unknown): void {
    if (error instanceof RunnerError && error.notFound) {
      this.model.remove(sourceKey, executionId);
      void window.showWarningMessage(`aloft: execution ${executionId} no longer exists on the runner (it was deleted); removed from the executions view`);
      return;
    }
    void window.showErrorMessage(`aloft: ${error instanceof Error ? error.message : String(error)}`);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private sourceChildren(sourceKey: string): ExecutionElement[] {
    const source = this.model.sourceList().find((s) => s.key === sourceKey);
    const problem: ExecutionElement[] = source?.problem ? [{ type: "problem", sourceKey, text: source.problem }] : [];
    return [...problem, ...this.model.executionsOf(sourceKey).map((state) => ({ type: "execution" as const, sourceKey, executionId: state.id }))];
  }

  private async readAll(): Promise<void> {
    const folders = workspace.workspaceFolders ?? [];
    const reads: Promise<void>[] = [];
    const remotes = new Set<string>();
    for (const folder of folders) {
      if (cliLaunch(folder).found) {
        reads.push(
          (async () => {
            const source = { key: `local:${folder.uri.toString()}`, label: `local runner (${folder.name})` };
            try {
              const target = await this.targets.local(folder);
              this.model.setList(target.source, (await target.client.listExecutions(LISTED)).executions);
            } catch (error) {
              this.model.setProblem(source, error instanceof Error ? error.message : String(error));
            }
          })(),
        );
      }
      const { url } = runnerSettings(folder);
      if (!url || remotes.has(url)) continue;
      remotes.add(url);
      reads.push(
        (async () => {
          const source = { key: `remote:${url}`, label: url };
          const target = await this.targets.remote(folder);
          if (isTargetProblem(target)) return this.model.setProblem(source, target.problem);
          try {
            this.model.setList(target.source, (await target.client.listExecutions(LISTED)).executions);
          } catch (error) {
            this.model.setProblem(source, error instanceof Error ? error.message : String(error));
          }
        })(),
      );
    }
    await Promise.all(reads);
  }
}

function treeItem(row: Row, id: string): TreeItem {
  const item = new TreeItem(row.label, row.expandable ? TreeItemCollapsibleState.Collapsed : TreeItemCollapsibleState.None);
  item.id = id;
  item.description = row.description;
  item.tooltip = row.tooltip;
  item.iconPath = new ThemeIcon(row.icon.id, row.icon.color ? new ThemeColor(row.icon.color) : undefined);
  item.contextValue = row.context;
  return item;
}
