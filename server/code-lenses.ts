/** The code lenses over each exported entity: run it here, run it remotely, show its graph, debug it. */
import type { CodeLens } from "vscode-languageserver/node.js";
import type { EntityInterface } from "../compiler/type-spec.ts";
import { nameOnLine } from "./positions.ts";
import {
  DEBUG_COMMAND,
  RUN_LOCALLY_COMMAND,
  RUN_REMOTE_COMMAND,
  SHOW_GRAPH_COMMAND,
  type EntityCommand,
  type EntityCommandArgument,
} from "./protocol.ts";

const TITLES: Record<EntityCommand, string> = {
  [RUN_LOCALLY_COMMAND]: "▶ Run locally",
  [RUN_REMOTE_COMMAND]: "☁ Run remote",
  [SHOW_GRAPH_COMMAND]: "⎇ Graph",
  [DEBUG_COMMAND]: "● Debug",
};

export function entityCommandArgument(file: string, entity: EntityInterface): EntityCommandArgument {
  return { file, entity: entity.name, kind: entity.kind, interface: { inputs: entity.inputs, output: entity.output } };
}

/** Lenses of `entities` of `file`, placed on each entity's name in `text`. */
export function codeLenses(file: string, text: string, entities: readonly EntityInterface[]): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const entity of entities) {
    const range = nameOnLine(text, entity.line, entity.name);
    const argument = entityCommandArgument(file, entity);
    const commands: EntityCommand[] = [RUN_LOCALLY_COMMAND, RUN_REMOTE_COMMAND];
    if (entity.kind !== "task") commands.push(SHOW_GRAPH_COMMAND);
    commands.push(DEBUG_COMMAND);
    for (const command of commands) lenses.push({ range, command: { title: TITLES[command], command, arguments: [argument] } });
  }
  return lenses;
}
