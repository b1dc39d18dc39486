/**
 * The editor test's steps over executions: a run refused over an error and
 * run anyway, ☁ Run remote without a runner, an execution's outputs and one
 * deleted while shown, a re-run from the executions view.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { it } from "node:test";
import Database from "better-sqlite3";
import { aloft, type EditorContext } from "./editor-context.ts";
import { showTrainingWorkflow, trainingDeclaration } from "./steps-runs.ts";
import { eventually, lensesAbove, openFile } from "./workbench.ts";
import { clickLens, clickNotificationButton, notifications, openActivity, sideBarRowAction, sideBarRows } from "./workbench-runs.ts";

export function executionSteps(ctx: EditorContext): void {
  it("refuses to run planted.ts over its error, names it, and runs it anyway when asked", () =>
    ctx.step("run anyway", async () => {
      const page = ctx.session.page;
      const declaration = "export const training = workflow(";
      await openFile(page, "planted.ts");
      await eventually("code lenses over planted.ts's workflow", () => lensesAbove(page, declaration));
      await clickLens(page, declaration, "▶ Run locally");
      const input = page.locator(".quick-input-widget input");
      await eventually("the run form asking for n: number", async () => ((await input.getAttribute("placeholder"))?.includes("n: number") ? true : undefined));
      await input.fill("three");
      await eventually("the form's message that n is a number", async () => (await page.locator(".quick-input-widget .quick-input-message").innerText()).includes('input "n" expects a number, got "three"') || undefined);
      await input.fill("3");
      await page.keyboard.press("Enter");
      const refusal = await eventually("the message that planted.ts has errors", async () => (await notifications(page)).find((text) => text.includes("planted.ts has 1 error(s)")));
      assert.ok(refusal.includes("ALOFT_WIRING_MISMATCH") && refusal.includes("Run anyway"), refusal);
      await ctx.shots.take(page, "run-refused-over-errors");
      await clickNotificationButton(page, "planted.ts has 1 error(s)", "Run anyway");
      await eventually("the message that training succeeded", async () => (await notifications(page)).find((text) => text.includes("aloft: training succeeded in")));
    }));

  it("says no runner is configured when ☁ Run remote is clicked without aloft.runner.url, and opens that setting", () =>
    ctx.step("run remote without a runner", async () => {
      const page = ctx.session.page;
      await showTrainingWorkflow(ctx);
      await clickLens(page, trainingDeclaration, "☁ Run remote");
      const message = await eventually("the message that no runner is configured", async () => (await notifications(page)).find((text) => text.includes("no runner configured")));
      assert.ok(message.includes("aloft.runner.url") && message.includes("Open Settings"), message);
      await ctx.shots.take(page, "run-remote-without-runner");
      await clickNotificationButton(page, "no runner configured", "Open Settings");
      await eventually("the settings editor showing aloft.runner.url", async () => ((await page.locator(".settings-editor .setting-item-contents", { hasText: "Runner: Url" }).count()) ? true : undefined));
    }));

  it("opens an execution's outputs, and drops one deleted from the runner's state while shown", () =>
    ctx.step("outputs and a deleted execution", async () => {
      const page = ctx.session.page;
      await openActivity(page, "aloft");
      await sideBarRowAction(page, ["trainingWorkflow", "succeeded"], "Open Outputs");
      const outputs = await eventually("the outputs in an untitled JSON document", async () => {
        const text = (await page.locator(".editor-instance .monaco-editor .view-line").allInnerTexts()).join("\n").replace(/\u00a0/g, " ");
        return text.includes('"metrics"') && text.includes('"fraud-model.json"') ? text : undefined;
      });
      assert.match(outputs, /"status": "succeeded"/);
      await ctx.shots.take(page, "outputs");

      // Someone prunes the state: the runner no longer has the execution.
      const training = (JSON.parse(aloft(["executions", "list", "--json"], ctx.workspace)) as { executionId: string; entity: string }[]).find((e) => e.entity === "trainingWorkflow");
      assert.ok(training, "no trainingWorkflow execution to delete");
      const db = new Database(join(ctx.workspace, ".aloft/state.db"));
      db.pragma("foreign_keys = ON");
      db.prepare("DELETE FROM executions WHERE id = ?").run(training.executionId);
      db.close();
      await sideBarRowAction(page, ["trainingWorkflow", "succeeded"], "Open Outputs");
      await eventually("the message that the execution no longer exists", async () =>
        (await notifications(page)).find((text) => text.includes(`execution ${training.executionId} no longer exists on the runner`)),
      );
      await eventually("the deleted execution gone from the view", async () => ((await sideBarRows(page)).some((row) => row.startsWith("trainingWorkflow")) ? undefined : true));
      await ctx.shots.take(page, "deleted-execution-dropped");
    }));

  it("re-runs an execution from the executions view with the inputs it had, checking the file again", () =>
    ctx.step("re-run", async () => {
      const page = ctx.session.page;
      await openActivity(page, "aloft");
      const before = (JSON.parse(aloft(["executions", "list", "--json"], ctx.workspace)) as { entity: string }[]).filter((e) => e.entity === "training").length;
      await sideBarRowAction(page, ["training", "succeeded"], "Re-run");
      // planted.ts still has its error: the re-run asks again, and is run anyway.
      await eventually("the message that planted.ts has errors, for the re-run", async () => (await notifications(page)).find((text) => text.includes("planted.ts has 1 error(s)")));
      await clickNotificationButton(page, "planted.ts has 1 error(s)", "Run anyway");
      await eventually("a second execution of training, succeeded, in the view and in aloft executions list", async () => {
        const rows = (await sideBarRows(page)).filter((row) => row.startsWith("training succeeded"));
        const listed = (JSON.parse(aloft(["executions", "list", "--json"], ctx.workspace)) as { entity: string; status: string }[]).filter((e) => e.entity === "training" && e.status === "succeeded");
        return rows.length === before + 1 && listed.length === before + 1 ? true : undefined;
      });
      await ctx.shots.take(page, "re-run");
    }));
}
