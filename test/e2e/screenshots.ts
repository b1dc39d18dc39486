/** A screenshot of each step of the editor test, numbered, in the test's output folder (test-output/e2e/, kept after the run). */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";

export class Screenshots {
  private taken = 0;

  constructor(readonly folder: string) {
    mkdirSync(folder, { recursive: true });
  }

  async take(page: Page, name: string): Promise<string> {
    const path = join(this.folder, `${String(++this.taken).padStart(2, "0")}-${name}.png`);
    await page.screenshot({ path, timeout: 30_000 });
    return path;
  }
}
