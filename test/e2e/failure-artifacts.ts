/**
 * What tells why an editor test failed, kept in a folder that outlives the
 * run: a screenshot of the page, the page's console, code-server's output
 * and VS Code's logs (the extension host's and the aloft output channel's
 * among them).
 */
import { cpSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "./browser.ts";
import type { CodeServer } from "./code-server.ts";

export async function saveFailureArtifacts(test: string, browser: Browser | undefined, codeServer: CodeServer | undefined): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), "aloft-e2e-failure-"));
  const saved: string[] = [];
  if (browser) {
    const screenshot = join(folder, "screenshot.png");
    try {
      await browser.page.screenshot({ path: screenshot, timeout: 30_000 });
      saved.push(`screenshot: ${screenshot}`);
    } catch (error) {
      saved.push(`no screenshot: ${error instanceof Error ? error.message : String(error)}`);
    }
    const console = join(folder, "browser-console.log");
    writeFileSync(console, browser.console.join("\n") + "\n");
    saved.push(`browser console: ${console}`);
  }
  if (codeServer) {
    if (existsSync(codeServer.logFile)) {
      cpSync(codeServer.logFile, join(folder, "code-server.log"));
      saved.push(`code-server output: ${join(folder, "code-server.log")}`);
    }
    if (existsSync(codeServer.logsDir)) {
      cpSync(codeServer.logsDir, join(folder, "vscode-logs"), { recursive: true });
      saved.push(`VS Code logs (exthost/, output channels incl. aloft): ${join(folder, "vscode-logs")}`);
    }
  }
  process.stderr.write(`\n"${test}" failed; saved in ${folder}:\n${saved.map((line) => `  ${line}`).join("\n")}\n`);
  return folder;
}
