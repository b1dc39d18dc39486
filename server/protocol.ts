/**
 * What aloft's language server and its editor clients say to each other
 * beyond plain LSP: the graph request, the commands its code lenses carry and
 * their argument. Plain types and string constants only, so the VS Code
 * extension (and any other client) imports this one file and nothing else of
 * the server.
 */
import type { Binding, Graph, GraphNode } from "../compiler/graph.ts";
import type { FieldSpec, TypeSpec } from "../compiler/type-spec.ts";

export type { Binding, FieldSpec, Graph, GraphNode, TypeSpec };

/** `source` of every diagnostic the server publishes. */
export const DIAGNOSTIC_SOURCE = "aloft";

/** Code of the one diagnostic published when a document could not be checked at all (the message says why). */
export const NOT_CHECKED_CODE = "ALOFT_NOT_CHECKED";

export type EntityKind = "task" | "workflow" | "dynamic";

/** Request: the static graph of one workflow of a document. */
export const GRAPH_REQUEST = "aloft/graph";

export interface GraphParams {
  /** The document's URI; an unopened `file:` URI is read from disk. */
  uri: string;
  /** Export name of the workflow. */
  entity: string;
}

/** The graph, or why there is none (not a workflow, its body breaks a rule, the file has errors...). */
export type GraphResult = { graph: Graph } | { error: string };

/** Commands of the code lenses over each exported entity; the client runs them. */
export const RUN_LOCALLY_COMMAND = "aloft.runLocally";
export const RUN_REMOTE_COMMAND = "aloft.runRemote";
/** Only on workflows and dynamics. */
export const SHOW_GRAPH_COMMAND = "aloft.showGraph";
/** Runs the entity with one of its tasks paused for the editor's debugger. */
export const DEBUG_COMMAND = "aloft.debug";

export type EntityCommand = typeof RUN_LOCALLY_COMMAND | typeof RUN_REMOTE_COMMAND | typeof SHOW_GRAPH_COMMAND | typeof DEBUG_COMMAND;

/** The one argument of every lens command: enough to run the entity or ask for its graph. */
export interface EntityCommandArgument {
  /** Absolute path of the workflow file. */
  file: string;
  /** Export name of the entity. */
  entity: string;
  kind: EntityKind;
  interface: { inputs: Record<string, FieldSpec>; output: TypeSpec };
}
