/**
 * What `● Debug` asks: which task to stop in (a task is its own answer; a
 * workflow or dynamic offers every task and dynamic its file exports, since
 * a dynamic's tasks appear only at run time), and, when a remote runner is
 * configured, where to run.
 */
import { commands, Uri, window, type CodeLens } from "vscode";
import type { EntityCommandArgument } from "../../server/protocol.ts";
import { debuggableEntities } from "./debug-config.ts";
import type { Where } from "./runner-targets.ts";

export async function pickTaskToDebug(entity: EntityCommandArgument): Promise<string | undefined> {
  if (entity.kind === "task") return entity.entity;
  const lenses = (await commands.executeCommand<CodeLens[]>("vscode.executeCodeLensProvider", Uri.file(entity.file))) ?? [];
  const candidates = debuggableEntities(lenses);
  if (!candidates.length) {
    void window.showErrorMessage(`aloft: ${entity.entity}'s file exports no task or dynamic to stop in`);
    return undefined;
  }
  const picked = await window.showQuickPick(
    candidates.map((c) => ({ label: c.entity, description: c.kind })),
    { title: `aloft: debug ${entity.entity}: stop in which task?`, placeHolder: "its first attempt waits for the debugger; your breakpoints in it bind" },
  );
  return picked?.label;
}

export async function pickWhere(runnerUrl: string): Promise<Where | undefined> {
  const picked = await window.showQuickPick(
    [
      { label: "Locally", description: "this folder's runner", where: "local" as const },
      { label: "On the runner", description: runnerUrl, where: "remote" as const },
    ],
    { title: "aloft: debug where?" },
  );
  return picked?.where;
}
