/** Debian's Chromium, headless, driven by playwright-core (which downloads no browser of its own). */
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { CHROMIUM } from "./debian-packages.ts";

export interface Browser {
  page: Page;
  /** What the page logged to its console (errors and warnings), for when a test fails. */
  console: string[];
  close(): Promise<void>;
}

export async function launchBrowser(root: string): Promise<Browser> {
  // A fresh profile; Playwright sets --user-data-dir itself and refuses it in args.
  const profile = mkdtempSync(join(root, "chromium-"));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1600, height: 1000 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const console: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") console.push(`${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => console.push(`page error: ${error.stack ?? error.message}`));
  return {
    page,
    console,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
