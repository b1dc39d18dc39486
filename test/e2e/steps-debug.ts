/**
 * The editor test's debug step: a breakpoint set in trainModel's `.ts`,
 * `● Debug` over the workflow, trainModel picked to stop in; VS Code's own
 * JavaScript debugger attaches to the paused attempt (through the runner's
 * relay), stops at the breakpoint in training.ts with the task's variables
 * shown, continues, and the run succeeds.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import type { EditorContext } from "./editor-context.ts";
import { showTrainingWorkflow, trainingDeclaration } from "./steps-runs.ts";
import { eventually, goToLine, WAIT_MS } from "./workbench.ts";
import { KubeSimulator } from "../kube-sim/simulator.ts";
import { startRunner } from "../remote/runner-process.ts";
import { clickLens, clickSideBarRow, notifications, openActivity, sideBarRowAction, sideBarRows } from "./workbench-runs.ts";

const BREAK_AT = "const model = trainOnBatch(";
/** How the Variables view shows `rows` at the breakpoint: the 1000 transactions of a batch. */
const ROWS_SHOWN = /rows\W*\(1000\)/;

export function debugSteps(ctx: EditorContext): void {
  it("debugs trainingWorkflow from ● Debug: stops at a breakpoint in trainModel's .ts with its variables, continues, and succeeds", () =>
    ctx.step("debug locally", async () => {
      const page = ctx.session.page;
      const source = readFileSync(join(ctx.workspace, "fraud/training.ts"), "utf8").split("\n");
      const breakLine = source.findIndex((text) => text.includes(BREAK_AT)) + 1;
      assert.ok(breakLine > 0, `fraud/training.ts no longer has ${BREAK_AT}`);

      await showTrainingWorkflow(ctx);
      await goToLine(page, breakLine);
      await page.keyboard.press("F9");
      await eventually("the breakpoint in the gutter", async () => ((await page.locator(".monaco-editor .codicon-debug-breakpoint").count()) ? true : undefined));
      await showTrainingWorkflow(ctx);

      const input = page.locator(".quick-input-widget input");
      const asked = async () => (await page.locator(".quick-input-widget .quick-input-title").innerText().catch(() => "")).includes("stop in which task") || undefined;
      // A click that lands while VS Code swaps in freshly provided lenses runs a command it already dropped: click again.
      await eventually("the question which task to stop in", async () => {
        if (await asked()) return true;
        await clickLens(page, trainingDeclaration, "● Debug");
        return eventually("the question after the click", asked, 5000).catch(() => undefined);
      });
      await input.fill("trainModel");
      await page.keyboard.press("Enter");
      // The run form again, its data remembered from the run before.
      await eventually("the form, titled for a debug run", async () => (await page.locator(".quick-input-widget .quick-input-title").innerText().catch(() => "")).includes("debug locally trainingWorkflow") || undefined);
      assert.equal(await input.inputValue(), "fraud/data");
      await page.keyboard.press("Enter");

      // Paused: the debug toolbar, the current line marked in training.ts, the call stack saying why.
      await eventually("the debugger paused at the breakpoint", async () => ((await page.locator(".codicon-debug-stackframe").count()) ? true : undefined), WAIT_MS);
      await eventually("the paused reason in the call stack", async () =>
        (await page.locator(".debug-call-stack").innerText().catch(() => "")).match(/paused on breakpoint/i) ? true : undefined,
      );
      const currentLine = await page.locator(".monaco-editor .debug-top-stack-frame-line").count();
      assert.ok(currentLine > 0, "no current-line highlight in the editor");
      const tab = await page.locator(".tab.active").innerText();
      assert.match(tab, /training\.ts/, "the debugger stopped in the .ts, not in the bundle");
      // The innermost scope, shown open: trainModel's rows of its first batch.
      await eventually("trainModel's variables", async () => (ROWS_SHOWN.test(await page.locator(".debug-variables").innerText().catch(() => "")) ? true : undefined));
      await ctx.shots.take(page, "debugger-paused-in-trainModel");

      await page.keyboard.press("F5");
      await eventually("the message that the debug run succeeded", async () => (await notifications(page)).find((text) => text.includes("aloft: trainingWorkflow succeeded in")), WAIT_MS);
      await eventually("the debug session over", async () => ((await page.locator(".debug-toolbar").isVisible().catch(() => false)) ? undefined : true));
      await ctx.shots.take(page, "debug-run-succeeded");
    }));

  it("replays trainModel's node from the executions view here, with its recorded inputs, stopping at the same breakpoint", () =>
    ctx.step("replay a node", async () => {
      const page = ctx.session.page;
      await openActivity(page, "aloft");
      await clickSideBarRow(page, "trainingWorkflow", "succeeded");
      await eventually("the debug run's nodes", async () => ((await sideBarRows(page)).some((row) => row.startsWith("trainIterative")) ? true : undefined));
      // Its twistie: a click on the row itself opens the node's logs.
      await page.locator(".part.sidebar .monaco-list-row", { hasText: "trainIterative" }).first().locator(".monaco-tl-twistie").click();
      await eventually("trainModel under trainIterative", async () => ((await sideBarRows(page)).some((row) => /^trainModel succeeded · [\d.]+ (ms|s)$/.test(row)) ? true : undefined));
      await sideBarRowAction(page, ["trainModel", "succeeded"], "Replay Here Under the Debugger");

      await eventually("the replay paused at the breakpoint", async () => ((await page.locator(".codicon-debug-stackframe").count()) ? true : undefined), WAIT_MS);
      await eventually("the rows read from the recorded input in the variables", async () => (ROWS_SHOWN.test(await page.locator(".debug-variables").innerText().catch(() => "")) ? true : undefined));
      await ctx.shots.take(page, "replay-paused-in-trainModel");
      await page.keyboard.press("F5");
      const told = await eventually("the replay's outcome", async () => (await notifications(page)).find((text) => text.includes("aloft: the replay of trainIterative/trainModel")), WAIT_MS);
      assert.match(told, /succeeded \(as recorded\)/);
      await ctx.shots.take(page, "replay-succeeded");
    }));

  it("debugs trainingWorkflow on a runner whose tasks are Kubernetes pods (the simulator), stopping in trainModel's pod at the .ts breakpoint", () =>
    ctx.step("debug on the runner", async () => {
      const page = ctx.session.page;
      const sim = await KubeSimulator.start({ podStartLatencyMs: 100 });
      const home = mkdtempSync(join(tmpdir(), "aloft-e2e-runner-"));
      const kubeconfig = join(home, "kubeconfig");
      sim.writeKubeconfig(kubeconfig);
      const runner = await startRunner({ args: ["--kubeconfig", kubeconfig] });
      const settingsFile = join(ctx.workspace, ".vscode/settings.json");
      const settingsBefore = existsSync(settingsFile) ? readFileSync(settingsFile, "utf8") : undefined;
      try {
        mkdirSync(join(ctx.workspace, ".vscode"), { recursive: true });
        writeFileSync(settingsFile, JSON.stringify({ ...(settingsBefore ? (JSON.parse(settingsBefore) as object) : {}), "aloft.runner.url": runner.url }, null, 2));
        const input = page.locator(".quick-input-widget input");
        const prompted = async () => ((await page.locator(".quick-input-widget .quick-input-title").innerText().catch(() => "")).includes(runner.url) ? true : undefined);
        // VS Code reads the settings file a moment after it changed: until then the command says no runner is configured.
        await eventually("the token prompt for the runner", async () => {
          if (await prompted()) return true;
          // The palette by hand: the prompt opens in the same widget the palette leaves.
          await page.keyboard.press("Escape");
          await page.keyboard.press("F1");
          await input.fill(">aloft: Set Runner Token");
          await page.locator(".quick-input-widget .monaco-list-row.focused", { hasText: "Set Runner Token" }).waitFor({ timeout: 10_000 });
          await page.keyboard.press("Enter");
          return eventually("the prompt after the command", prompted, 5000).catch(() => undefined);
        });
        await input.fill(runner.token);
        await page.keyboard.press("Enter");
        await eventually("the token stored", async () => (await notifications(page)).find((text) => text.includes(`aloft: token stored for ${runner.url}`)));

        await showTrainingWorkflow(ctx);
        const title = () => page.locator(".quick-input-widget .quick-input-title").innerText().catch(() => "");
        await eventually("the question which task to stop in", async () => {
          if ((await title()).includes("stop in which task")) return true;
          await clickLens(page, trainingDeclaration, "● Debug");
          return eventually("the question after the click", async () => ((await title()).includes("stop in which task") ? true : undefined), 5000).catch(() => undefined);
        });
        await input.fill("trainModel");
        await page.keyboard.press("Enter");
        // With a runner configured, where to run: here, or there.
        await eventually("the question where to debug", async () => ((await title()).includes("debug where") ? true : undefined));
        await input.fill("On the runner");
        await page.keyboard.press("Enter");
        await eventually("the form, for a debug run on the runner", async () => ((await title()).includes(`debug on ${runner.url}`) ? true : undefined));
        await page.keyboard.press("Enter");

        await eventually("the debugger paused inside the pod", async () => ((await page.locator(".codicon-debug-stackframe").count()) ? true : undefined), WAIT_MS);
        assert.match(await page.locator(".tab.active").innerText(), /training\.ts/, "the pod's bundle is mapped to the .ts here");
        await eventually("trainModel's variables", async () => (ROWS_SHOWN.test(await page.locator(".debug-variables").innerText().catch(() => "")) ? true : undefined));
        assert.ok((sim.counts().byRoute["create pods/portforward"] ?? 0) > 0, "the runner reached the pod's inspector through a port-forward");
        await ctx.shots.take(page, "debugger-paused-in-a-pod");
        await page.keyboard.press("F5");
        await eventually("the run on the runner succeeded", async () => {
          const listed = (await (await fetch(`${runner.url}/api/v1/executions?limit=1`, { headers: { authorization: `Bearer ${runner.token}` } })).json()) as { executions: { entity: string; status: string }[] };
          const [latest] = listed.executions;
          return latest?.entity === "trainingWorkflow" && latest.status === "succeeded" ? true : undefined;
        }, WAIT_MS);
        await ctx.shots.take(page, "remote-debug-run-succeeded");
      } finally {
        if (settingsBefore === undefined) rmSync(settingsFile, { force: true });
        else writeFileSync(settingsFile, settingsBefore);
        await runner.stop();
        await sim.stop();
      }
    }));
}
