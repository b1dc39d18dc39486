/**
 * What the editor knows of one execution: its summary, its nodes once read
 * (from the detail route or an event stream's snapshot), map progress, and
 * the last log line. Event-stream messages are applied as they come.
 */
import type { ErrorInfo } from "../../compiler/errors.ts";
import type { EventMessage, ExecutionDetailResponse, ExecutionSummary, NodeSummary } from "../../runner/service/protocol.ts";
import type { NodeStates } from "./graph-messages.ts";

export interface MapProgress {
  total: number;
  succeeded: number;
  failed: number;
  running: number;
}

export class ExecutionState {
  summary: ExecutionSummary;
  /** Undefined until the detail or a snapshot was read; in the runner's order, new nodes last. */
  nodes: Map<string, NodeSummary> | undefined;
  readonly progress = new Map<string, MapProgress>();
  error: ErrorInfo | null = null;
  lastLog: { nodeId: string; text: string } | undefined;
  /** Its events stream is being followed: the stream, not a list read meanwhile, says its state. */
  followed = false;

  constructor(summary: ExecutionSummary) {
    this.summary = summary;
  }

  get id(): string {
    return this.summary.executionId;
  }

  get ended(): boolean {
    return this.summary.status !== "running";
  }

  loadDetail(detail: ExecutionDetailResponse): void {
    const { inputs: _inputs, outputs: _outputs, error, nodes, ...summary } = detail;
    this.summary = summary;
    this.error = error;
    this.nodes = new Map(nodes.map((node) => [node.id, node]));
  }

  /** Applies one message of the events stream; says whether what is shown changed. */
  apply(message: EventMessage): boolean {
    switch (message.type) {
      case "snapshot":
      case "end":
        this.loadDetail(message.execution);
        return true;
      case "execution": {
        const { outputs: _outputs, error, ...summary } = message.execution;
        this.summary = summary;
        this.error = error;
        return true;
      }
      case "node":
        (this.nodes ??= new Map()).set(message.node.id, message.node);
        return true;
      case "map-progress":
        this.progress.set(message.nodeId, { total: message.total, succeeded: message.succeeded, failed: message.failed, running: message.running });
        return true;
      case "log": {
        const line = message.text.trimEnd().split("\n").pop();
        if (line) this.lastLog = { nodeId: message.nodeId, text: line };
        return false;
      }
      case "debugger":
        // The debug session shows the pause; the node stays `running` here.
        return false;
      case "error":
        return false;
    }
  }

  /** Nodes directly under `parentId` (null: the top level). */
  childrenOf(parentId: string | null): NodeSummary[] {
    return [...(this.nodes?.values() ?? [])].filter((node) => node.parentId === parentId);
  }

  hasChildren(nodeId: string): boolean {
    return [...(this.nodes?.values() ?? [])].some((node) => node.parentId === nodeId);
  }

  /** Top-level nodes that have ended, of all top-level nodes: the progress a notification shows. */
  topLevelDone(): { done: number; total: number } {
    const top = this.childrenOf(null);
    return { done: top.filter((n) => n.status !== "pending" && n.status !== "running").length, total: top.length };
  }
}

/** The states a graph colours its boxes by: the top-level nodes, whose ids are the static graph's. */
export function graphStates(state: ExecutionState): NodeStates {
  const nodes: NodeStates["nodes"] = {};
  for (const node of state.childrenOf(null)) nodes[node.id] = { status: node.status, cached: node.cached };
  return { executionId: state.id, executionStatus: state.summary.status, nodes };
}
