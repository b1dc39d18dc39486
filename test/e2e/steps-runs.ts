/**
 * The editor test's run steps: ▶ Run locally with its form, logs and end;
 * the executions view with the run's nodes and their logs; the ⎇ Graph
 * webview coloured by the run.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { aloft, type EditorContext } from "./editor-context.ts";
import { eventually, goToLine, lensesAbove, openFile, runCommand, WAIT_MS } from "./workbench.ts";
import { clickLens, clickSideBarRow, notifications, openActivity, sideBarRows, terminalLines, terminalNames, webview } from "./workbench-runs.ts";

export const trainingDeclaration = "export const trainingWorkflow = workflow(";

/** fraud/training.ts open at its workflow, with aloft's lenses drawn over it. */
export async function showTrainingWorkflow(ctx: EditorContext): Promise<void> {
  const page = ctx.session.page;
  const source = readFileSync(join(ctx.workspace, "fraud/training.ts"), "utf8").split("\n");
  const line = source.findIndex((text) => text.startsWith(trainingDeclaration));
  assert.ok(line >= 0, "fraud/training.ts no longer declares trainingWorkflow");
  await openFile(page, "fraud/training.ts");
  await goToLine(page, line + 1);
  await eventually("code lenses over trainingWorkflow", () => lensesAbove(page, trainingDeclaration));
}

export function runSteps(ctx: EditorContext): void {
  it("runs trainingWorkflow from ▶ Run locally: asks for its input, streams its logs to a terminal, and says it succeeded", () =>
    ctx.step("run locally", async () => {
      const page = ctx.session.page;
      await showTrainingWorkflow(ctx);
      await ctx.shots.take(page, "lenses-over-trainingWorkflow");

      const clicked = performance.now();
      await clickLens(page, trainingDeclaration, "▶ Run locally");
      // The form: one quick input per input, here `data: Dir`, a path relative to the workspace folder.
      const input = page.locator(".quick-input-widget input");
      await eventually("the run form asking for data: Dir", async () => ((await input.getAttribute("placeholder"))?.includes("data: Dir") ? true : undefined));
      ctx.editorRun.formShownMs = performance.now() - clicked;
      const title = await page.locator(".quick-input-widget .quick-input-title").innerText();
      assert.match(title, /run locally trainingWorkflow/);
      await input.fill("fraud/nowhere");
      await eventually("the form's message that there is no such folder", async () =>
        (await page.locator(".quick-input-widget .quick-input-message").innerText()).includes("there is no folder at") || undefined,
      );
      await input.fill("fraud/data");
      await eventually("the form accepting fraud/data", async () => ((await page.locator(".quick-input-widget .quick-input-message").innerText()).includes("there is no") ? undefined : true));
      await ctx.shots.take(page, "run-form");
      const accepted = performance.now();
      await page.keyboard.press("Enter");

      const firstLine = await eventually(
        "the first log line of prepareBatches in the terminal",
        async () => (await terminalLines(page)).find((line) => /^prepareBatches │ prepareBatches: 6000 transactions from 4 files/.test(line)),
        WAIT_MS,
        100,
      );
      ctx.editorRun.firstLogMs = performance.now() - clicked;
      ctx.editorRun.firstLogAfterFormMs = performance.now() - accepted;
      assert.ok(firstLine);
      const succeeded = await eventually(
        "the message that trainingWorkflow succeeded",
        async () => (await notifications(page)).find((text) => text.includes("aloft: trainingWorkflow succeeded in")),
        WAIT_MS,
        100,
      );
      ctx.editorRun.completedMs = performance.now() - clicked;
      ctx.editorRun.completedAfterFormMs = performance.now() - accepted;
      assert.match(succeeded, /Open Outputs/);
      await ctx.shots.take(page, "run-succeeded");

      const lines = await eventually("the end of the logs in the terminal", async () => {
        const shown = await terminalLines(page);
        return shown.some((line) => line.includes("── execution succeeded")) ? shown : undefined;
      });
      assert.ok(lines.some((line) => /^trainIterative\/trainModel-6 │ trainModel batch-0005\.csv: 1000 rows/.test(line)), lines.join("\n"));
      assert.ok(lines.some((line) => /^evaluate │ evaluate: 6000 transactions, AUC /.test(line)), lines.join("\n"));
      assert.ok((await terminalNames(page)).some((name) => name.includes("aloft trainingWorkflow (")), `terminals: ${(await terminalNames(page)).join(", ")}`);
    }));

  it("lists the run in the executions view as succeeded, as `aloft executions list` does, with its nodes and their logs", () =>
    ctx.step("executions view", async () => {
      const page = ctx.session.page;
      const [listed] = JSON.parse(aloft(["executions", "list", "--json"], ctx.workspace)) as { executionId: string; entity: string; status: string }[];
      assert.ok(listed && listed.entity === "trainingWorkflow" && listed.status === "succeeded", `aloft executions list: ${JSON.stringify(listed)}`);

      await openActivity(page, "aloft");
      await eventually("trainingWorkflow succeeded in the executions view", async () => {
        const rows = await sideBarRows(page);
        if (rows.some((row) => row.startsWith("trainingWorkflow") && row.includes("succeeded"))) return true;
        throw new Error(rows.join(" | ") || "no rows");
      });
      await ctx.shots.take(page, "executions-view");

      await clickSideBarRow(page, "trainingWorkflow", "succeeded");
      const nodes = await eventually("the nodes of the execution", async () => {
        const rows = await sideBarRows(page);
        const names = ["prepareBatches", "trainIterative", "evaluate"];
        return names.every((name) => rows.some((row) => row.startsWith(name) && row.includes("succeeded"))) ? rows : undefined;
      });
      assert.ok(nodes.some((row) => /^prepareBatches succeeded · \d/.test(row)), nodes.join(" | "));
      await ctx.shots.take(page, "executions-view-nodes");

      // Selecting a node opens its own logs.
      await clickSideBarRow(page, "evaluate", "succeeded");
      await eventually("evaluate's logs in a terminal of their own", async () => {
        const names = await terminalNames(page);
        const lines = await terminalLines(page);
        return names.some((name) => name.includes("aloft evaluate (")) && lines.some((line) => /^evaluate │ evaluate: 6000 transactions/.test(line)) && !lines.some((line) => line.startsWith("prepareBatches │"))
          ? true
          : undefined;
      });
      await ctx.shots.take(page, "node-logs");
    }));

  it("draws trainingWorkflow's graph in a webview from ⎇ Graph, its boxes coloured by the run's states", () =>
    ctx.step("graph webview", async () => {
      const page = ctx.session.page;
      const graph = JSON.parse(aloft(["graph", "fraud/training.ts", "trainingWorkflow", "--format", "json"], ctx.workspace)) as { nodes: { id: string }[] };
      await showTrainingWorkflow(ctx);
      await clickLens(page, trainingDeclaration, "⎇ Graph");
      const frame = webview(page);
      const drawn = await eventually("the graph's boxes in the webview", async () => {
        const ids = await frame.locator("g.node").evaluateAll((groups) => groups.map((g) => g.getAttribute("data-node-id")));
        return ids.length ? ids : undefined;
      });
      assert.deepEqual(drawn, ["$inputs", ...graph.nodes.map((node) => node.id), "$output"]);
      assert.equal(await frame.locator("g.edge").count(), 6);
      for (const node of graph.nodes) {
        await eventually(`${node.id} coloured as succeeded`, async () => ((await frame.locator(`g.node[data-node-id="${node.id}"]`).getAttribute("data-state")) === "succeeded" ? true : undefined));
      }
      // Boxes are laid out apart, each below what it reads.
      const boxes = await frame.locator("g.node rect").evaluateAll((rects) => rects.map((r) => { const b = r.getBoundingClientRect(); return { x: b.x, y: b.y, width: b.width, height: b.height }; }));
      assert.ok(boxes.every((b) => b.width > 40 && b.height > 20), JSON.stringify(boxes));
      assert.ok(boxes[0]!.y < boxes[1]!.y && boxes[1]!.y < boxes[2]!.y, JSON.stringify(boxes));
      assert.match(await frame.locator("#status").innerText(), /execution \w+: succeeded/);
      await ctx.shots.take(page, "graph-webview");
      // The webview opened beside the editor: back to one group for the steps after this one.
      await runCommand(page, "View: Close All Editor Groups");
    }));
}
