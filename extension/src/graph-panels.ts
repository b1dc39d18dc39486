/**
 * `⎇ Graph`: a webview per workflow that draws the static graph the language
 * server reads (`aloft/graph`), laid out by dagre in the webview's own
 * script. While an execution of that workflow runs here, its node states are
 * posted to the webview as they change; clicking a node opens its logs.
 */
import { randomBytes } from "node:crypto";
import { Uri, ViewColumn, window, workspace, type Disposable, type WebviewPanel } from "vscode";
import { GRAPH_REQUEST, type EntityCommandArgument, type GraphParams, type GraphResult } from "../../server/protocol.ts";
import type { FolderServers } from "./folder-servers.ts";
import type { FromWebview, NodeStates, ToWebview } from "./graph-messages.ts";

export interface ShownExecution {
  states: NodeStates;
  /** Opens the logs of one node of that execution. */
  openLogs(nodeId: string): void;
}

interface Panel {
  panel: WebviewPanel;
  ready: boolean;
  queued: ToWebview[];
  execution?: ShownExecution;
}

export class GraphPanels implements Disposable {
  private readonly panels = new Map<string, Panel>();

  constructor(
    private readonly extensionUri: Uri,
    private readonly servers: FolderServers,
    /** The latest execution of a workflow known here, to colour a graph that opens after it ran. */
    private readonly latest: (file: string, entity: string) => ShownExecution | undefined,
  ) {}

  async show(entity: EntityCommandArgument): Promise<void> {
    const key = `${entity.file}#${entity.entity}`;
    const title = `${entity.entity} (${workspace.asRelativePath(entity.file)})`;
    let shown = this.panels.get(key);
    if (shown) shown.panel.reveal();
    else shown = this.open(key, entity);
    const execution = this.latest(entity.file, entity.entity);
    if (execution) this.showExecution(shown, execution);
    this.post(shown, await this.graphMessage(entity, title));
  }

  /** New states of an execution of a workflow, for its panel if one is open. */
  update(file: string, entity: string, execution: ShownExecution): void {
    const shown = this.panels.get(`${file}#${entity}`);
    if (shown) this.showExecution(shown, execution);
  }

  dispose(): void {
    for (const { panel } of this.panels.values()) panel.dispose();
    this.panels.clear();
  }

  private showExecution(shown: Panel, execution: ShownExecution): void {
    shown.execution = execution;
    this.post(shown, { type: "states", states: execution.states });
  }

  private open(key: string, entity: EntityCommandArgument): Panel {
    const scripts = Uri.joinPath(this.extensionUri, "dist");
    const panel = window.createWebviewPanel("aloft.graph", `⎇ ${entity.entity}`, ViewColumn.Beside, { enableScripts: true, localResourceRoots: [scripts] });
    const shown: Panel = { panel, ready: false, queued: [] };
    this.panels.set(key, shown);
    panel.webview.html = page(panel.webview.cspSource, panel.webview.asWebviewUri(Uri.joinPath(scripts, "graph-view.js")).toString());
    panel.webview.onDidReceiveMessage((message: FromWebview) => {
      if (message.type === "ready") {
        shown.ready = true;
        shown.queued.splice(0).forEach((queued) => void panel.webview.postMessage(queued));
      } else if (message.type === "open-logs") {
        shown.execution?.openLogs(message.nodeId);
      }
    });
    panel.onDidDispose(() => this.panels.delete(key));
    return shown;
  }

  private post(shown: Panel, message: ToWebview): void {
    // Messages posted before the script listens are lost: they wait for its "ready".
    if (!shown.ready) {
      shown.queued = [...shown.queued.filter((queued) => queued.type !== message.type), message];
      return;
    }
    void shown.panel.webview.postMessage(message);
  }

  private async graphMessage(entity: EntityCommandArgument, title: string): Promise<ToWebview> {
    const uri = Uri.file(entity.file);
    const folder = workspace.getWorkspaceFolder(uri);
    const client = folder && this.servers.clientFor(folder);
    if (!client) return { type: "error", title, message: `no aloft language server runs for ${entity.file}: see the aloft output channel` };
    try {
      const params: GraphParams = { uri: uri.toString(), entity: entity.entity };
      const result = await client.sendRequest<GraphResult>(GRAPH_REQUEST, params);
      return "graph" in result ? { type: "graph", title, graph: result.graph } : { type: "error", title, message: result.error };
    } catch (error) {
      return { type: "error", title, message: `the language server did not answer ${GRAPH_REQUEST}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}

function page(cspSource: string, script: string): string {
  const nonce = randomBytes(16).toString("base64");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${cspSource}; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 8px 16px; }
  header { font-size: 1.2em; font-weight: 600; margin-bottom: 4px; }
  #status { color: var(--vscode-descriptionForeground); margin-bottom: 12px; }
  svg { overflow: visible; }
  .node rect { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-editorWidget-border, var(--vscode-foreground)); stroke-width: 1.5; }
  .node.kind-inputs rect, .node.kind-output rect { stroke-dasharray: 5 3; }
  .node text { text-anchor: middle; fill: var(--vscode-foreground); font-size: 13px; }
  .node text.detail { fill: var(--vscode-descriptionForeground); font-size: 11px; }
  .node:not(.kind-inputs):not(.kind-output) { cursor: pointer; }
  .node[data-state="pending"] rect { opacity: 0.7; }
  .node[data-state="running"] rect { stroke: var(--vscode-charts-blue); stroke-width: 3; fill: var(--vscode-charts-blue); fill-opacity: 0.15; }
  .node[data-state="succeeded"] rect { stroke: var(--vscode-testing-iconPassed); stroke-width: 2.5; fill: var(--vscode-testing-iconPassed); fill-opacity: 0.15; }
  .node[data-state="failed"] rect { stroke: var(--vscode-testing-iconFailed); stroke-width: 2.5; fill: var(--vscode-testing-iconFailed); fill-opacity: 0.15; }
  .node[data-state="skipped"] { opacity: 0.45; }
  .node.cached rect { stroke-dasharray: 2 2; }
  .edge path { fill: none; stroke: var(--vscode-editorLineNumber-foreground); stroke-width: 1.5; }
  .arrowhead { fill: var(--vscode-editorLineNumber-foreground); }
  .edge-label { fill: var(--vscode-descriptionForeground); font-size: 11px; }
</style>
</head>
<body>
<header id="title">graph</header>
<div id="status"></div>
<svg id="graph" xmlns="http://www.w3.org/2000/svg"></svg>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
