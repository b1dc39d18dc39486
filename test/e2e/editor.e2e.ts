// aloft's VS Code extension in a real VS Code (code-server 4.100.3), driven
// through Debian's Chromium as a person would use it: a copy of samples/ as
// the workspace, aloft installed in its node_modules, the extension installed
// from its .vsix. `npm run test:e2e` runs it; `npm test` does not (it is not a
// *.test.ts): it installs code-server into a cache folder the first time.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { launchBrowser, type Browser } from "./browser.ts";
import { installCodeServer } from "./code-server-install.ts";
import { startCodeServer, type CodeServer } from "./code-server.ts";
import { ensureDebianPackages } from "./debian-packages.ts";
import { packageExtension } from "./extension-package.ts";
import { saveFailureArtifacts } from "./failure-artifacts.ts";
import {
  errorSquiggles,
  eventually,
  goToLine,
  hoverOver,
  lensesAbove,
  openFile,
  openFolder,
  outputLines,
  problems,
  runCommand,
  textBox,
  type Box,
} from "./workbench.ts";

const repo = resolve(import.meta.dirname, "../..");
const cli = join(repo, "dist/cli.js");

/** Runs the aloft CLI of this checkout: what the editor shows is compared with what the CLI says. */
function aloft(args: string[], cwd: string): string {
  try {
    return execFileSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8" });
  } catch (error) {
    // `aloft check` exits 1 when it finds errors, which is what the planted file is for.
    const { status, stdout } = error as { status?: number; stdout?: string };
    if (status === 1 && stdout) return stdout;
    throw error;
  }
}

const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe("aloft in VS Code (code-server + Chromium)", () => {
  let root: string;
  let workspace: string;
  let codeServer: CodeServer | undefined;
  let browser: Browser | undefined;
  let failed = false;

  /** Runs a test's steps; on failure saves a screenshot and the logs, and says where. */
  const step = async (name: string, body: () => Promise<void>) => {
    try {
      await body();
    } catch (error) {
      failed = true;
      await saveFailureArtifacts(name, browser, codeServer);
      throw error;
    }
  };

  before(async () => {
    assert.ok(existsSync(cli), `${cli} is missing: run npm run build first (npm run test:e2e does)`);
    await step("setting up code-server", async () => {
      ensureDebianPackages();
      const started = performance.now();
      const install = installCodeServer();
      process.stderr.write(
        install.installedInMs === undefined
          ? `code-server: cached in ${install.dir} (checked in ${Math.round(performance.now() - started)} ms)\n`
          : `code-server: installed in ${(install.installedInMs / 1000).toFixed(1)} s into ${install.dir}\n`,
      );
      const vsix = packageExtension();

      // A user's project: the samples, with aloft installed (this checkout) and a file with a planted wiring error.
      root = mkdtempSync(join(tmpdir(), "aloft-e2e-"));
      workspace = join(root, "workspace");
      cpSync(join(repo, "samples"), workspace, { recursive: true });
      mkdirSync(join(workspace, "node_modules"));
      symlinkSync(repo, join(workspace, "node_modules/aloft"), "dir");
      copyFileSync(join(repo, "test/fixtures/check/planted.ts"), join(workspace, "planted.ts"));

      codeServer = await startCodeServer({
        entry: install.entry,
        vsix,
        root: join(root, "code-server"),
        // VS Code's own TypeScript checking off, so that every squiggle in these files is aloft's.
        settings: { "typescript.validate.enable": false },
      });
      browser = await launchBrowser(root);
      await openFolder(browser.page, codeServer.url, workspace);
    });
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await codeServer?.stop();
    // A failed run keeps its workspace for a look; its artifacts were copied out already.
    if (root && !failed) rmSync(root, { recursive: true, force: true });
  });

  it("underlines the planted wiring error and lists aloft's message in Problems, as `aloft check` reports it", () =>
    step("planted wiring error", async () => {
      const page = browser!.page;
      const [expected, ...others] = JSON.parse(aloft(["check", "--json", "planted.ts"], workspace)) as {
        line: number;
        column: number;
        endLine: number;
        endColumn: number;
        code: string;
        message: string;
      }[];
      assert.ok(expected && !others.length && expected.code === "ALOFT_WIRING_MISMATCH", "planted.ts no longer holds exactly one wiring error");
      const lineText = readFileSync(join(workspace, "planted.ts"), "utf8").split("\n")[expected.line - 1]!;
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

  it("puts ▶ Run locally, ☁ Run remote and ⎇ Graph over the workflow of fraud/training.ts, and only the run lenses over a task", () =>
    step("lenses over the workflow", async () => {
      const page = browser!.page;
      const source = readFileSync(join(workspace, "fraud/training.ts"), "utf8").split("\n");
      const workflowLine = source.findIndex((text) => text.startsWith("export const trainingWorkflow = workflow("));
      const taskLine = source.findIndex((text) => text.startsWith("export const evaluate = task("));
      assert.ok(workflowLine >= 0 && taskLine >= 0, "fraud/training.ts no longer declares trainingWorkflow and evaluate");

      await openFile(page, "fraud/training.ts");
      await goToLine(page, workflowLine + 1);
      const overWorkflow = await eventually("code lenses over trainingWorkflow", () => lensesAbove(page, source[workflowLine]!));
      assert.deepEqual(overWorkflow, ["▶ Run locally", "☁ Run remote", "⎇ Graph"]);
      await goToLine(page, taskLine + 1);
      const overTask = await eventually("code lenses over the task evaluate", () => lensesAbove(page, source[taskLine]!));
      assert.deepEqual(overTask, ["▶ Run locally", "☁ Run remote"]);
    }));

  it("shows the workflow's typed interface and its graph when hovering its name", () =>
    step("hover over the workflow", async () => {
      const page = browser!.page;
      const declaration = "export const trainingWorkflow = workflow(";
      // The CLI's reading of the same workflow: its output type and its graph.
      const help = aloft(["run", "fraud/training.ts", "trainingWorkflow", "--help"], workspace);
      const output = /^output\s+(.+)$/m.exec(help)?.[1];
      assert.ok(output, `aloft run --help printed no output type:\n${help}`);
      const graph = JSON.parse(aloft(["graph", "fraud/training.ts", "trainingWorkflow", "--format", "json"], workspace)) as { nodes: unknown[] };

      await openFile(page, "fraud/training.ts");
      const source = readFileSync(join(workspace, "fraud/training.ts"), "utf8").split("\n");
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
    step("restart and output", async () => {
      const page = browser!.page;
      const started = `[workspace] starting the language server: ${process.execPath} ${join(workspace, "node_modules/aloft/dist/cli.js")} lsp --stdio`;
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

  it("warns, naming where it looked, when a folder has no aloft installed", () =>
    step("warning without aloft", async () => {
      const page = browser!.page;
      const bare = join(root, "without-aloft");
      mkdirSync(bare);
      copyFileSync(join(repo, "test/fixtures/check/planted.ts"), join(bare, "planted.ts"));

      await openFolder(page, codeServer!.url, bare);
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
