/**
 * The editor test's steps on one workbench target: the user's project made,
 * the extension packaged and installed, the editor started on the project,
 * then every step in order (they build on each other: the run the
 * executions view lists is the one ▶ Run locally started).
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { timeCliRun } from "./cli-timing.ts";
import { cli, repo, type EditorContext, type EditorRunTimings } from "./editor-context.ts";
import { makeUserProject } from "./editor-project.ts";
import { packageExtension } from "./extension-package.ts";
import { saveFailureArtifacts } from "./failure-artifacts.ts";
import { Screenshots } from "./screenshots.ts";
import { debugSteps } from "./steps-debug.ts";
import { executionSteps } from "./steps-executions.ts";
import { languageSteps } from "./steps-language.ts";
import { runSteps } from "./steps-runs.ts";
import { eventually, openFile } from "./workbench.ts";
import type { WorkbenchSession, WorkbenchTarget } from "./workbench-session.ts";

/** Screenshots of each step, kept after the run: one folder per run, one per target in it. */
const shotsRoot = join(repo, "test-output/e2e", new Date().toISOString().replace(/[:.]/g, "-"));

/** VS Code's own TypeScript checking off, so that every squiggle is aloft's; the terminal drawn by its DOM renderer, so that its lines can be read. */
const TEST_SETTINGS = { "typescript.validate.enable": false, "terminal.integrated.gpuAcceleration": "off" };

export function describeEditor(target: WorkbenchTarget): void {
  describe(`aloft in VS Code (${target.name})`, () => {
    let root = "";
    let workspace = "";
    let session: WorkbenchSession | undefined;
    let failed = false;
    const editorRun: EditorRunTimings = {};
    const shots = new Screenshots(join(shotsRoot, target.slug));

    const ctx: EditorContext = {
      get session() {
        if (!session) throw new Error(`the ${target.name} session did not start`);
        return session;
      },
      get workspace() {
        return workspace;
      },
      shots,
      editorRun,
      step: async (name, body) => {
        try {
          await body();
        } catch (error) {
          failed = true;
          // Before the editor started there is nothing of it to keep.
          if (session) await saveFailureArtifacts(`${name} (${target.name})`, session.evidence());
          throw error;
        }
      },
    };

    before(async () => {
      assert.ok(existsSync(cli), `${cli} is missing: run npm run build first (npm run test:e2e does)`);
      await ctx.step("starting the editor", async () => {
        target.check?.();
        root = mkdtempSync(join(tmpdir(), `aloft-e2e-${target.slug}-`));
        workspace = makeUserProject(join(root, "workspace"));
        session = await target.start({ root, workspace, vsix: packageExtension(), settings: TEST_SETTINGS });
        await session.openFolder(workspace);
      });
    });

    after(async () => {
      await session?.close();
      // A failed run keeps its workspace for a look; its artifacts were copied out already.
      if (root && !failed) rmSync(root, { recursive: true, force: true });
    });

    languageSteps(ctx);
    runSteps(ctx);
    executionSteps(ctx);
    debugSteps(ctx);

    it("runs the same workflow from the CLI, and prints both timings", async (t) => {
      const run = await timeCliRun(repo);
      assert.equal(run.exitCode, 0, run.output);
      const seconds = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? "n/a" : `${(ms / 1000).toFixed(2)} s`);
      const report = [
        `fraud trainingWorkflow, nothing cached (${target.name}):`,
        `  editor, from the click on ▶ Run locally (starting the local runner, the form filled by the test, a screenshot): form shown after ${seconds(editorRun.formShownMs)}; first log line after ${seconds(editorRun.firstLogMs)}; completed after ${seconds(editorRun.completedMs)}`,
        `  editor, from the form's Enter (check, bundle, trace and upload by the CLI, then the run): first log line after ${seconds(editorRun.firstLogAfterFormMs)}; completed after ${seconds(editorRun.completedAfterFormMs)}`,
        `  CLI (node dist/cli.js run samples/fraud/training.ts trainingWorkflow --data samples/fraud/data): first log line after ${seconds(run.firstLogMs)}; completed after ${seconds(run.completedMs)}`,
        `  screenshots: ${shots.folder}`,
      ];
      for (const line of report) t.diagnostic(line);
      process.stderr.write(`${report.join("\n")}\n`);
    });

    it("warns, naming where it looked, when a folder has no aloft installed", () =>
      ctx.step("warning without aloft", async () => {
        const bare = join(root, "without-aloft");
        mkdirSync(bare);
        copyFileSync(join(repo, "test/fixtures/check/planted.ts"), join(bare, "planted.ts"));

        await ctx.session.openFolder(bare);
        const page = ctx.session.page;
        await openFile(page, "planted.ts");
        const warning = await eventually("aloft's warning that it found no language server", async () =>
          (await page.locator(".notification-toast").allInnerTexts()).find((text) => text.includes("aloft: no language server")),
        );
        const text = warning.replace(/\s+/g, " ");
        assert.ok(text.includes(`there is no ${join(bare, "node_modules/aloft/package.json")}`), text);
        assert.ok(text.includes("aloft.server.path"), text);
        assert.ok(text.includes("Open Settings"), `no button to open the settings: ${text}`);
      }));
  });
}
