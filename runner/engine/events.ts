/**
 * What an execution tells its watchers (the CLI's progress view now; the
 * editor and the runner service's streams later) as it runs.
 */
import type { ExecutionRecord, NodeRecord } from "../store/state-store.ts";
import type { InspectorEndpoint } from "../worker/protocol.ts";

export type ExecutionEvent =
  | { type: "execution"; execution: ExecutionRecord }
  | { type: "node"; node: NodeRecord }
  /** Progress of a map, without one event per item. */
  | { type: "map-progress"; nodeId: string; total: number; succeeded: number; failed: number; running: number }
  /**
   * Output of an attempt as it arrives: the `index`-th chunk of the attempt's
   * log file, written at `t` (so a reader of the file and of the events can
   * tell which chunks it has seen).
   */
  | { type: "log"; nodeId: string; attempt: number; stream: "stdout" | "stderr"; text: string; index: number; t: number }
  /** An attempt run with `debug` is paused, its inspector listening where `endpoint` says (on its worker's loopback). */
  | { type: "debugger"; nodeId: string; entity: string; attempt: number; endpoint: InspectorEndpoint };

export type ExecutionListener = (event: ExecutionEvent) => void;
