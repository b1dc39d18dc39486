/** What the graph panel and its webview say to each other (postMessage). Types only; the webview reads nothing of the runner. */
import type { Graph } from "../../server/protocol.ts";

export interface NodeStates {
  executionId: string;
  executionStatus: string;
  /** Top-level node id → its state; the static graph's ids are the execution's top-level ones. */
  nodes: Record<string, { status: string; cached: boolean }>;
}

export type ToWebview =
  | { type: "graph"; title: string; graph: Graph }
  | { type: "error"; title: string; message: string }
  | { type: "states"; states: NodeStates };

export type FromWebview = { type: "ready" } | { type: "open-logs"; nodeId: string };
