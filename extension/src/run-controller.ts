/**
 * `▶ Run locally` and `☁ Run remote`: the runner to send to, the input form,
 * the submission by the folder's CLI (with "Run anyway" when the file has
 * errors), then the execution followed to its end (run-session.ts).
 */
import { commands, ProgressLocation, Uri, window, workspace, type Memento, type WorkspaceFolder } from "vscode";
import type { EntityCommandArgument } from "../../server/protocol.ts";
import { cliLaunch } from "./cli-launch.ts";
import { attachDebugger } from "./debug-attach.ts";
import { pickTaskToDebug, pickWhere } from "./debug-target-pick.ts";
import { askInputs, rememberedInputs, rememberInputs } from "./input-form.ts";
import { inputArgs } from "./input-values.ts";
import { isTargetProblem, type RunnerTarget, type RunnerTargets, type Where } from "./runner-targets.ts";
import { followRun, type SessionParts } from "./run-session.ts";
import { runnerSettings } from "./settings.ts";
import { submit, type SubmitOutcome } from "./submission.ts";

/** What re-running an execution started here needs. */
export interface RunRecord {
  entity: EntityCommandArgument;
  where: Where;
  values: Record<string, string>;
}

const RUNS_KEY = "aloft.runs";
const RUNS_KEPT = 200;

export class RunController {
  constructor(
    private readonly memory: Memento,
    private readonly targets: RunnerTargets,
    private readonly session: SessionParts,
  ) {}

  /** `● Debug`: runs an entity with one of its tasks paused for VS Code's debugger. */
  async debug(entity: EntityCommandArgument): Promise<void> {
    const node = await pickTaskToDebug(entity);
    if (!node) return;
    const folder = workspace.getWorkspaceFolder(Uri.file(entity.file));
    const runnerUrl = folder ? runnerSettings(folder).url : "";
    const where = runnerUrl ? await pickWhere(runnerUrl) : "local";
    if (where) await this.run(entity, where, undefined, node);
  }

  /**
   * Runs an entity; `values` skips the form (a re-run with the same inputs);
   * `debugNode` pauses that task's attempt and attaches the debugger to it.
   */
  async run(entity: EntityCommandArgument, where: Where, values?: Record<string, string>, debugNode?: string): Promise<void> {
    const folder = workspace.getWorkspaceFolder(Uri.file(entity.file));
    if (!folder) {
      void window.showErrorMessage(`aloft: ${entity.file} is in no workspace folder; open its folder to run ${entity.entity}`);
      return;
    }
    const launch = cliLaunch(folder);
    if (!launch.found) {
      void window.showErrorMessage(`aloft: cannot run ${entity.entity}: ${launch.reason}`);
      return;
    }
    const target = await this.target(folder, where);
    if (!target) return;
    const verb = `${debugNode ? "debug" : "run"} ${where === "local" ? "locally" : `on ${target.source.label}`}`;
    const given = values ?? (await askInputs(entity, folder.uri.fsPath, rememberedInputs(this.memory, entity), verb));
    if (!given) return;
    await rememberInputs(this.memory, entity, given);

    const submission = {
      runtime: launch.runtime,
      cli: launch.cli,
      folder: folder.uri.fsPath,
      endpoint: target.endpoint,
      file: entity.file,
      entity: entity.entity,
      inputArgs: inputArgs(given, entity.interface.inputs),
      ...(target.project ? { project: target.project } : {}),
      domain: runnerSettings(folder).domain,
      skipCheck: false,
      ...(debugNode ? { debug: debugNode } : {}),
    };
    let outcome = await this.submitting(entity, () => submit(submission));
    if (outcome.kind === "check-failed") {
      const first = outcome.diagnostics[0] ?? "";
      const choice = await window.showErrorMessage(`aloft: ${outcome.summary.replace(/; fix them or pass --skip-check to run anyway$/, "")}. ${first}`, "Run anyway", "Show Problems");
      if (choice === "Show Problems") await commands.executeCommand("workbench.actions.view.problems");
      if (choice !== "Run anyway") return;
      outcome = await this.submitting(entity, () => submit({ ...submission, skipCheck: true }));
    }
    if (outcome.kind !== "submitted") {
      void window.showErrorMessage(`aloft: ${entity.entity} was not submitted: ${outcome.kind === "failed" ? outcome.message : outcome.summary}`);
      return;
    }
    await this.record(outcome.executionId, { entity, where, values: given });
    const executionId = outcome.executionId;
    if (debugNode) {
      const request = { runtime: launch.runtime, cli: launch.cli, folder, endpoint: target.endpoint, executionId, node: debugNode };
      void window.withProgress({ location: ProgressLocation.Notification, title: `aloft: waiting for ${debugNode} to pause for the debugger…` }, () =>
        attachDebugger(request).catch((error: unknown) => {
          void window.showErrorMessage(`aloft: could not attach the debugger to ${debugNode}: ${error instanceof Error ? error.message : String(error)}`);
        }),
      );
    }
    await followRun(this.session, target, entity, executionId);
  }

  /** How an execution started here was run, for re-running it. */
  recordOf(executionId: string): RunRecord | undefined {
    return this.memory.get<Record<string, RunRecord>>(RUNS_KEY)?.[executionId];
  }

  private async record(executionId: string, record: RunRecord): Promise<void> {
    const runs = Object.entries(this.memory.get<Record<string, RunRecord>>(RUNS_KEY) ?? {}).slice(-(RUNS_KEPT - 1));
    await this.memory.update(RUNS_KEY, Object.fromEntries([...runs, [executionId, record]]));
  }

  private async target(folder: WorkspaceFolder, where: Where): Promise<RunnerTarget | undefined> {
    if (where === "local") {
      try {
        return await window.withProgress({ location: ProgressLocation.Window, title: "aloft: starting the local runner" }, () => this.targets.local(folder));
      } catch (error) {
        void window.showErrorMessage(`aloft: the local runner did not start: ${error instanceof Error ? error.message : String(error)}`, "Show Output").then((choice) => {
          if (choice) void commands.executeCommand("aloft.showOutput");
        });
        return undefined;
      }
    }
    const remote = await this.targets.remote(folder);
    if (!isTargetProblem(remote)) return remote;
    const { problem, action } = remote;
    void window.showErrorMessage(`aloft: ${problem}`, ...(action ? [action.title] : [])).then((choice) => {
      if (choice && action) void action.run();
    });
    return undefined;
  }

  private submitting(entity: EntityCommandArgument, work: () => Promise<SubmitOutcome>): Thenable<SubmitOutcome> {
    return window.withProgress({ location: ProgressLocation.Notification, title: `aloft: checking, bundling and submitting ${entity.entity}…` }, work);
  }
}
