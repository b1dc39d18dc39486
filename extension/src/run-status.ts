/** The status bar item shown while executions started here run: which, and how many. */
import { StatusBarAlignment, window, type Disposable } from "vscode";

export class RunStatus implements Disposable {
  private readonly item = window.createStatusBarItem("aloft.runs", StatusBarAlignment.Left, 10);
  private readonly running = new Map<string, string>();

  constructor() {
    this.item.name = "aloft runs";
    this.item.command = "aloft.executions.focus";
  }

  started(executionId: string, entity: string): void {
    this.running.set(executionId, entity);
    this.update();
  }

  ended(executionId: string): void {
    this.running.delete(executionId);
    this.update();
  }

  private update(): void {
    const entities = [...this.running.values()];
    if (!entities.length) {
      this.item.hide();
      return;
    }
    this.item.text = `$(sync~spin) aloft: ${entities.length === 1 ? `${entities[0]} running` : `${entities.length} executions running`}`;
    this.item.tooltip = `Running: ${[...this.running].map(([id, entity]) => `${entity} (${id})`).join(", ")}. Click for the executions view.`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
