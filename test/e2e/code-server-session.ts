/**
 * The workbench of code-server 4.100.3 (VS Code's own, served to a browser)
 * in Debian's Chromium: installed into a cache folder the first time, with
 * the extension installed from its .vsix.
 */
import { join } from "node:path";
import { launchBrowser } from "./browser.ts";
import { installCodeServer } from "./code-server-install.ts";
import { startCodeServer } from "./code-server.ts";
import { ensureDebianPackages } from "./debian-packages.ts";
import { openFolder } from "./workbench.ts";
import type { SessionSetup, WorkbenchSession, WorkbenchTarget } from "./workbench-session.ts";

export const codeServerTarget: WorkbenchTarget = {
  name: "code-server + Chromium",
  slug: "code-server",
  start: startCodeServerSession,
};

async function startCodeServerSession({ root, vsix, settings }: SessionSetup): Promise<WorkbenchSession> {
  ensureDebianPackages();
  const started = performance.now();
  const install = installCodeServer();
  process.stderr.write(
    install.installedInMs === undefined
      ? `code-server: cached in ${install.dir} (checked in ${Math.round(performance.now() - started)} ms)\n`
      : `code-server: installed in ${(install.installedInMs / 1000).toFixed(1)} s into ${install.dir}\n`,
  );
  const server = await startCodeServer({ entry: install.entry, vsix, root: join(root, "code-server"), settings });
  const browser = await launchBrowser(root).catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  return {
    page: browser.page,
    openFolder: (folder) => openFolder(browser.page, server.url, folder),
    evidence: () => ({
      page: browser.page,
      console: browser.console,
      copies: [
        { from: server.logFile, as: "code-server.log", what: "code-server output" },
        { from: server.logsDir, as: "vscode-logs", what: "VS Code logs (exthost/, output channels incl. aloft)" },
      ],
    }),
    close: async () => {
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
}
