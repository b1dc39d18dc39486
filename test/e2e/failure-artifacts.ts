/**
 * What tells why an editor test failed, kept in a folder that outlives the
 * run: a screenshot of the page, the page's console, the editor's own output
 * and VS Code's logs (the extension host's and the aloft output channel's
 * among them).
 */
import { cpSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";

export interface FailureEvidence {
  page?: Page;
  /** What the page logged (errors and warnings). */
  console?: string[];
  /** Files and folders copied as `as` into the artifacts folder; `what` says what they are. */
  copies: { from: string; as: string; what: string }[];
}

export async function saveFailureArtifacts(test: string, evidence: FailureEvidence | undefined): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), "aloft-e2e-failure-"));
  const saved: string[] = [];
  if (evidence?.page) {
    const screenshot = join(folder, "screenshot.png");
    try {
      await evidence.page.screenshot({ path: screenshot, timeout: 30_000 });
      saved.push(`screenshot: ${screenshot}`);
    } catch (error) {
      saved.push(`no screenshot: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (evidence?.console) {
    const console = join(folder, "page-console.log");
    writeFileSync(console, evidence.console.join("\n") + "\n");
    saved.push(`page console: ${console}`);
  }
  for (const { from, as, what } of evidence?.copies ?? []) {
    if (!existsSync(from)) continue;
    cpSync(from, join(folder, as), { recursive: true });
    saved.push(`${what}: ${join(folder, as)}`);
  }
  process.stderr.write(`\n"${test}" failed; saved in ${folder}:\n${saved.map((line) => `  ${line}`).join("\n")}\n`);
  return folder;
}
