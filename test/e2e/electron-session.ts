/**
 * A desktop VS Code (Electron) driven by playwright-core's Electron support:
 * its first window is a Page over the same workbench DOM as code-server's.
 * Fresh user-data and extensions folders; the extension installed from its
 * .vsix by VS Code's own launcher; another folder opens in VS Code started
 * again on it (a desktop window cannot be sent to a URL).
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { _electron, type ElectronApplication, type Page } from "playwright-core";
import { findDesktopVsCode, VSCODE_PATH_VARIABLE, type DesktopVsCode } from "./desktop-vscode.ts";
import { waitForWorkbench } from "./workbench.ts";
import type { SessionSetup, WorkbenchSession, WorkbenchTarget } from "./workbench-session.ts";
import { writeUserSettings } from "./workbench-settings.ts";
import { ensureDisplay } from "./x-display.ts";

/** How long a desktop VS Code may take to open its first window on a busy machine. */
const START_TIMEOUT_MS = 180_000;

export function electronTarget(path: string): WorkbenchTarget {
  return {
    name: `desktop VS Code (Electron, ${VSCODE_PATH_VARIABLE})`,
    slug: "desktop-vscode",
    check: () => void findDesktopVsCode(path),
    start: (setup) => startElectronSession(path, setup),
  };
}

async function startElectronSession(path: string, { root, workspace, vsix, settings }: SessionSetup): Promise<WorkbenchSession> {
  const vscode = findDesktopVsCode(path);
  process.stderr.write(`desktop VS Code ${vscode.version}: ${vscode.executable}\n`);
  const home = join(root, "desktop-vscode");
  const userData = join(home, "user-data");
  const extensions = join(home, "extensions");
  mkdirSync(extensions, { recursive: true });
  // A title bar and menus drawn by the workbench, as in code-server, and no window restored from a previous run.
  writeUserSettings(userData, { "window.titleBarStyle": "custom", "window.restoreWindows": "none", ...settings });
  const dirs = ["--user-data-dir", userData, "--extensions-dir", extensions];
  installExtension(vscode, dirs, vsix);

  const display = await ensureDisplay();
  const outputFile = join(home, "vscode-output.log");
  const output = createWriteStream(outputFile);
  const console: string[] = [];
  let app: ElectronApplication | undefined;
  let page: Page | undefined;
  let folder = "";

  const launch = async (target: string) => {
    app = await _electron.launch({
      executablePath: vscode.executable,
      args: [target, ...dirs, "--new-window", "--disable-workspace-trust", "--skip-welcome", "--skip-release-notes", "--disable-telemetry", "--disable-updates", "--disable-gpu", "--no-sandbox"],
      env: { ...editorEnv(), ...display.env },
      timeout: START_TIMEOUT_MS,
    });
    folder = target;
    pipeOutput(app, output);
    page = await app.firstWindow({ timeout: START_TIMEOUT_MS });
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") console.push(`${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => console.push(`page error: ${error.stack ?? error.message}`));
    // The size code-server's browser has, so that both draw the same.
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.setSize(1600, 1000));
  };
  const quit = async () => {
    const pid = app?.process().pid;
    await app?.close().catch(() => {});
    app = undefined;
    // Whatever outlived the window (an extension host, a language server) goes with its process group.
    if (pid) killGroup(pid);
  };

  await launch(workspace);
  return {
    get page(): Page {
      if (!page) throw new Error("the desktop VS Code has no window");
      return page;
    },
    openFolder: async (target) => {
      if (target !== folder || !app) {
        await quit();
        await launch(target);
      }
      await waitForWorkbench(page!);
    },
    evidence: () => ({
      ...(page ? { page } : {}),
      console,
      copies: [
        { from: outputFile, as: "vscode-output.log", what: "desktop VS Code's output" },
        { from: join(userData, "logs"), as: "vscode-logs", what: "VS Code logs (exthost/, output channels incl. aloft)" },
      ],
    }),
    close: async () => {
      await quit();
      output.end();
      await display.stop();
    },
  };
}

function installExtension(vscode: DesktopVsCode, dirs: string[], vsix: string): void {
  const install = spawnSync(vscode.cli, [...dirs, "--install-extension", vsix], { encoding: "utf8", env: editorEnv(), shell: process.platform === "win32" });
  if (install.status !== 0) {
    throw new Error(`${vscode.cli} --install-extension ${vsix} (the launcher of ${VSCODE_PATH_VARIABLE}) failed (exit ${install.status ?? install.signal ?? install.error?.message}):\n${install.stdout}${install.stderr}`);
  }
}

/** This process's environment less what would make Electron run as plain Node (set inside VS Code's own terminals). */
function editorEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && name !== "ELECTRON_RUN_AS_NODE") env[name] = value;
  return env;
}

function pipeOutput(app: ElectronApplication, output: WriteStream): void {
  const child = app.process();
  child.stdout?.on("data", (chunk: Buffer) => output.write(chunk));
  child.stderr?.on("data", (chunk: Buffer) => output.write(chunk));
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // No such group: the editor ran in its parent's, and ended with its window.
  }
}
