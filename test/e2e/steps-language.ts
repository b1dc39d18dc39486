/**
 * The editor test's language steps: aloft's diagnostics in the editor and in
 * Problems, a quick fix, its code lenses, its hover, a restart of its
 * language server.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { aloft, type EditorContext } from "./editor-context.ts";
import { errorSquiggles, eventually, goToLine, hoverOver, lensesAbove, openFile, outputLines, problems, runCommand, textBox, type Box } from "./workbench.ts";

const normalize = (text: string) => text.replace(/\s+/g, " ").trim();
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

export function languageSteps(ctx: EditorContext): void {
  it("underlines the planted wiring error and lists aloft's message in Problems, as `aloft check` reports it", () =>
    ctx.step("planted wiring error", async () => {
      const page = ctx.session.page;
      const [expected, ...others] = JSON.parse(aloft(["check", "--json", "planted.ts"], ctx.workspace)) as {
        line: number;
        column: number;
        endLine: number;
        endColumn: number;
        code: string;
        message: string;
      }[];
      assert.ok(expected && !others.length && expected.code === "ALOFT_WIRING_MISMATCH", "planted.ts no longer holds exactly one wiring error");
      const lineText = readFileSync(join(ctx.workspace, "planted.ts"), "utf8").split("\n")[expected.line - 1]!;
      const flagged = lineText.slice(expected.column - 1, expected.endColumn - 1);

      await openFile(page, "planted.ts");
      await eventually(`an error squiggle under "${flagged}" on line ${expected.line} of planted.ts`, async () => {
        const target = await textBox(page, lineText.trim(), flagged);
        if (!target) throw new Error(`line ${expected.line} is not drawn`);
        const squiggles = await errorSquiggles(page);
        if (squiggles.some((squiggle) => overlaps(squiggle, { ...target, height: target.height + 4 }))) return true;
        throw new Error(`${squiggles.length} error squiggles, none under "${flagged}" at ${JSON.stringify(target)}: ${JSON.stringify(squiggles)}`);
      });

      const row = await eventually("aloft's message in the Problems panel", async () => {
        const rows = await problems(page);
        return rows.find((text) => text.includes(expected.message)) ?? (rows.length ? Promise.reject(new Error(rows.join(" | "))) : undefined);
      });
      // The panel draws "aloft(CODE)": the parentheses are CSS, not text.
      assert.equal(row.replace(/\s+/g, " "), `${expected.message} aloft ${expected.code} [Ln ${expected.line}, Col ${expected.column}]`);
    }));

  it("fixes a misspelt option from the Quick Fix menu (Ctrl+.) with the rename aloft offers", () =>
    ctx.step("quick fix", async () => {
      const page = ctx.session.page;
      const file = join(ctx.workspace, "misspelt.ts");
      const source = readFileSync(file, "utf8").split("\n");
      const line = source.find((text) => text.includes("retrys: 2"));
      assert.ok(line, "misspelt.ts no longer misspells retries as retrys");
      const title = 'Change "retrys" to "retries"';

      await openFile(page, "misspelt.ts");
      await goToLine(page, source.indexOf(line) + 1);
      const menu = page.locator(".action-widget");
      const fix = menu.getByText(title, { exact: true }).first();
      await eventually(`"${title}" in the Quick Fix menu`, async () => {
        const word = await textBox(page, line.trim(), "retrys");
        if (!word) throw new Error("the line is not drawn");
        await page.mouse.click(word.x + word.width / 2, word.y + word.height / 2);
        await page.keyboard.press("Control+Period");
        // The menu opens once the code actions are in: aloft answers when its check of the file is.
        const shown = await fix.waitFor({ timeout: 5000 }).then(() => true, () => false);
        if (shown) return true;
        const offered = (await menu.allInnerTexts().catch(() => [])).join(" | ");
        await page.keyboard.press("Escape");
        throw new Error(offered ? `the menu offers: ${offered}` : "no Quick Fix menu");
      });
      // Chosen from the keyboard, as the menu blocks the pointer until it moves: aloft marks the fix preferred, so it comes first.
      assert.equal(normalize(await menu.locator(".monaco-list-row.focused").first().innerText()), title);
      await page.keyboard.press("Enter");
      await page.keyboard.press("Control+S");
      await eventually("misspelt.ts saved with the option renamed", async () => (readFileSync(file, "utf8").includes(line.replace("retrys", "retries")) ? true : undefined));
    }));

  it("puts ▶ Run locally, ☁ Run remote, ⎇ Graph and ● Debug over the workflow of fraud/training.ts, and no graph lens over a task", () =>
    ctx.step("lenses over the workflow", async () => {
      const page = ctx.session.page;
      const source = readFileSync(join(ctx.workspace, "fraud/training.ts"), "utf8").split("\n");
      const workflowLine = source.findIndex((text) => text.startsWith("export const trainingWorkflow = workflow("));
      const taskLine = source.findIndex((text) => text.startsWith("export const evaluate = task("));
      assert.ok(workflowLine >= 0 && taskLine >= 0, "fraud/training.ts no longer declares trainingWorkflow and evaluate");

      await openFile(page, "fraud/training.ts");
      await goToLine(page, workflowLine + 1);
      const overWorkflow = await eventually("code lenses over trainingWorkflow", () => lensesAbove(page, source[workflowLine]!));
      assert.deepEqual(overWorkflow, ["▶ Run locally", "☁ Run remote", "⎇ Graph", "● Debug"]);
      await goToLine(page, taskLine + 1);
      const overTask = await eventually("code lenses over the task evaluate", () => lensesAbove(page, source[taskLine]!));
      assert.deepEqual(overTask, ["▶ Run locally", "☁ Run remote", "● Debug"]);
    }));

  it("shows the workflow's typed interface and its graph when hovering its name", () =>
    ctx.step("hover over the workflow", async () => {
      const page = ctx.session.page;
      const declaration = "export const trainingWorkflow = workflow(";
      // The CLI's reading of the same workflow: its output type and its graph.
      const help = aloft(["run", "fraud/training.ts", "trainingWorkflow", "--help"], ctx.workspace);
      const output = /^output\s+(.+)$/m.exec(help)?.[1];
      assert.ok(output, `aloft run --help printed no output type:\n${help}`);
      const graph = JSON.parse(aloft(["graph", "fraud/training.ts", "trainingWorkflow", "--format", "json"], ctx.workspace)) as { nodes: unknown[] };

      await openFile(page, "fraud/training.ts");
      const source = readFileSync(join(ctx.workspace, "fraud/training.ts"), "utf8").split("\n");
      await goToLine(page, source.findIndex((text) => text.startsWith(declaration)) + 1);
      const signature = `(workflow) trainingWorkflow(inputs: { data: Dir }): ${output}`;
      const hover = await eventually("aloft's hover over trainingWorkflow", async () => {
        const name = await textBox(page, declaration, "trainingWorkflow");
        if (!name) throw new Error("the declaration is not drawn");
        const text = await hoverOver(page, name);
        if (text?.includes(signature)) return text;
        // Away and back: a hover that opened before aloft answered is asked again.
        await page.mouse.move(0, 0);
        throw new Error(text ? `hover without aloft's interface: ${text}` : "no hover");
      });
      assert.ok(hover.includes(`Graph: ${graph.nodes.length} nodes, in call order`), hover);
    }));

  it("restarts the language server from the Command Palette, and logs both starts in the aloft output channel", () =>
    ctx.step("restart and output", async () => {
      const page = ctx.session.page;
      const started = `[workspace] starting the language server: ${process.execPath} ${join(ctx.workspace, "node_modules/aloft/dist/cli.js")} lsp --stdio`;
      await runCommand(page, "aloft: Restart Language Server");
      await runCommand(page, "aloft: Show Output");
      await eventually("two starts of the language server in the aloft output channel", async () => {
        const lines = await outputLines(page);
        const starts = lines.filter((line) => line.startsWith(started));
        if (starts.length === 2) return true;
        throw new Error(`${starts.length} starts in:\n${lines.join("\n")}`);
      });
      // The restarted server serves the open documents again.
      await openFile(page, "planted.ts");
      await eventually("aloft's message in the Problems panel after the restart", async () =>
        (await problems(page)).some((row) => row.includes('input "data" of task "fit" expects string[]')) || undefined,
      );
    }));
}
