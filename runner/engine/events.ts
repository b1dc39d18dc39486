/**
 * What an execution tells its watchers (the CLI's progress view now; the
 * editor and the runner service's streams later) as it runs.
 */
import type { ExecutionRecord, NodeRecord } from "../store/state-store.ts";

export type ExecutionEvent =
  | { type: "execution"; execution: ExecutionRecord }
  | { type: "node"; node: NodeRecord }
  /** Progress of a map, without one event per item. */
  | { type: "map-progress"; nodeId: string; total: number; succeeded: number; failed: number; running: number }
  | { type: "log"; nodeId: string; attempt: number; stream: "stdout" | "stderr"; text: string };

export type ExecutionListener = (event: ExecutionEvent) => void;
