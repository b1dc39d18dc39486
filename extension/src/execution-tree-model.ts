/**
 * How executions and their nodes look in the side bar, without VS Code: the
 * label, description, tooltip, icon and context of each row. The view turns
 * rows into TreeItems as they are.
 */
import type { ExecutionSummary, NodeSummary } from "../../runner/service/protocol.ts";

/** The domain a run lands in when it names none: not repeated on every row. */
const DEFAULT_DOMAIN = "development";
import type { ExecutionState } from "./execution-state.ts";

type Status = ExecutionSummary["status"] | NodeSummary["status"];

export interface Row {
  label: string;
  description: string;
  tooltip: string;
  /** A codicon id, with the theme colour that paints it. */
  icon: { id: string; color?: string };
  /** `contextValue`: which context actions apply. */
  context: "execution" | "execution-running" | "node" | "node-replayable";
  expandable: boolean;
}

const ICONS: Record<Status, Row["icon"]> = {
  succeeded: { id: "pass", color: "testing.iconPassed" },
  failed: { id: "error", color: "testing.iconFailed" },
  running: { id: "sync~spin" },
  pending: { id: "circle-outline", color: "disabledForeground" },
  skipped: { id: "circle-slash", color: "disabledForeground" },
  cancelled: { id: "circle-slash", color: "testing.iconSkipped" },
};

export function statusIcon(status: Status): Row["icon"] {
  return ICONS[status];
}

/** `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")} min`;
}

function elapsed(start: string | null, end: string | null, now: number): number | undefined {
  if (!start) return undefined;
  return (end ? Date.parse(end) : now) - Date.parse(start);
}

export function executionRow(state: ExecutionState, now: number): Row {
  const { summary } = state;
  const took = elapsed(summary.createdAt, summary.endedAt, now);
  // None yet (a run just submitted), or none at all (a runner from before domains).
  const domain = summary.domain || DEFAULT_DOMAIN;
  const description = [summary.status, took === undefined ? "" : formatDuration(took), domain === DEFAULT_DOMAIN ? "" : domain].filter(Boolean).join(" · ");
  const tooltip = [
    `${summary.kind} ${summary.entity} (${summary.file})`,
    `execution ${summary.executionId}, project ${summary.project}, domain ${domain}`,
    `started ${summary.createdAt}${summary.endedAt ? `, ended ${summary.endedAt}` : ""}`,
    ...(state.error ? [`${state.error.code}: ${state.error.message}`] : []),
  ].join("\n");
  return {
    label: summary.entity,
    description,
    tooltip,
    icon: statusIcon(summary.status),
    context: summary.status === "running" ? "execution-running" : "execution",
    expandable: true,
  };
}

/** A node's own name under its parent: `trainIterative/trainModel-2` under `trainIterative` is `trainModel-2`. */
export function nodeName(node: NodeSummary): string {
  return node.parentId && node.id.startsWith(`${node.parentId}/`) ? node.id.slice(node.parentId.length + 1) : node.id;
}

export function nodeRow(state: ExecutionState, node: NodeSummary, now: number): Row {
  const took = elapsed(node.startedAt, node.endedAt, now);
  const progress = state.progress.get(node.id);
  const description = [
    node.status,
    node.status !== "pending" && took !== undefined ? formatDuration(took) : "",
    node.cached ? "cached" : "",
    node.attempts > 1 ? `${node.attempts} attempts` : "",
    progress ? `${progress.succeeded}/${progress.total} items${progress.failed ? `, ${progress.failed} failed` : ""}` : "",
  ]
    .filter(Boolean)
    .join(" · ");
  const tooltip = [`${node.kind} ${node.entity} (node ${node.id})`, ...(node.error ? [`${node.error.code}: ${node.error.message}`] : []), "Select to open its logs"].join("\n");
  // A finished node that ran code with recorded inputs can be run again here, under the debugger.
  const replayable = (node.status === "succeeded" || node.status === "failed") && !node.cached && ["task", "dynamic", "item"].includes(node.kind);
  return { label: nodeName(node), description, tooltip, icon: statusIcon(node.status), context: replayable ? "node-replayable" : "node", expandable: state.hasChildren(node.id) };
}
