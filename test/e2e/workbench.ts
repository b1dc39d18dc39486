/**
 * What a person does in VS Code's workbench, in a browser page: open a
 * folder and a file, go to a line, look at what is drawn over and under the
 * text, hover a word, open the Problems panel. Everything waits for what it
 * expects to be drawn (generously: the machine is shared), never for a time.
 */
import type { Page } from "playwright-core";
import type { PageGlobals } from "./page-dom.ts";

/** Each wait for something to be drawn. Generous: a cold start of the language server on a busy machine takes a while. */
export const WAIT_MS = 180_000;

/** Polls `probe` until it returns a value; on timeout, fails with `what` and the last thing seen. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = WAIT_MS, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastSeen: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastSeen = error instanceof Error ? error.message : error;
    }
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${what}${lastSeen === undefined ? "" : `; last seen: ${String(lastSeen)}`}`);
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}

/** Opens a folder in code-server's workbench: its URL names the folder. */
export async function openFolder(page: Page, url: string, folder: string): Promise<void> {
  await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
  await waitForWorkbench(page);
}

/** Waits for the workbench with its folder loaded. */
export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator(".monaco-workbench").waitFor({ timeout: WAIT_MS });
  // The explorer shows the folder once the workspace is loaded.
  await page.locator(".explorer-folders-view").waitFor({ timeout: WAIT_MS });
}

/** Opens a file of the workspace with Quick Open (Ctrl+P), as a person would, and waits for its editor. */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const name = relativePath.split("/").pop()!;
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ timeout: WAIT_MS });
  await input.fill(relativePath);
  // The first pick is the file itself once the search has run.
  await page.locator(".quick-input-widget .monaco-list-row.focused", { hasText: name }).waitFor({ timeout: WAIT_MS });
  await page.keyboard.press("Enter");
  await page.locator(".tabs-container .tab.active", { hasText: name }).waitFor({ timeout: WAIT_MS });
  await page.locator(".editor-instance .monaco-editor .view-lines").first().waitFor({ timeout: WAIT_MS });
}

/** Runs a command by its title from the Command Palette (F1). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ timeout: WAIT_MS });
  await input.fill(`>${title}`);
  await page.locator(".quick-input-widget .monaco-list-row.focused", { hasText: title }).waitFor({ timeout: WAIT_MS });
  await page.keyboard.press("Enter");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: WAIT_MS });
}

/** The lines the Output panel shows (of the channel it has selected). */
export async function outputLines(page: Page): Promise<string[]> {
  return (await page.locator(".panel .output-view .monaco-editor .view-line").allInnerTexts()).map(normalizeText);
}

/** Go to Line (Ctrl+G): the editor scrolls the line into the middle of the view. */
export async function goToLine(page: Page, line: number): Promise<void> {
  await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+G");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ timeout: WAIT_MS });
  await input.fill(`:${line}`);
  await page.keyboard.press("Enter");
  await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: WAIT_MS });
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where `text` is drawn on the first visible line of the active editor that
 * holds `line` (both as the source spells them); undefined while that line is
 * not drawn.
 */
export function textBox(page: Page, line: string, text: string): Promise<Box | undefined> {
  return page.evaluate(
    ({ line, text }) => {
      const { document, NodeFilter } = globalThis as unknown as PageGlobals;
      for (const row of document.querySelectorAll(".editor-instance .monaco-editor .view-line")) {
        // Monaco draws spaces as no-break spaces.
        const content = (row.textContent ?? "").replace(/\u00a0/g, " ");
        if (!content.includes(line)) continue;
        const start = content.indexOf(text);
        if (start < 0) return undefined;
        // Monaco splits a line into spans by token: find the text nodes the range starts and ends in.
        const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
        const range = document.createRange();
        let offset = 0;
        let started = false;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const length = node.textContent?.length ?? 0;
          if (!started && start < offset + length) {
            range.setStart(node, start - offset);
            started = true;
          }
          if (started && start + text.length <= offset + length) {
            range.setEnd(node, start + text.length - offset);
            const { x, y, width, height } = range.getBoundingClientRect();
            return { x, y, width, height };
          }
          offset += length;
        }
        return undefined;
      }
      return undefined;
    },
    { line, text },
  );
}

/** Boxes of the error squiggles drawn in the active editor. */
export function errorSquiggles(page: Page): Promise<Box[]> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as PageGlobals;
    return [...document.querySelectorAll(".editor-instance .monaco-editor .squiggly-error")].map((element) => {
      const { x, y, width, height } = element.getBoundingClientRect();
      return { x, y, width, height };
    });
  });
}

/** The titles of the code lenses drawn just above the line of the active editor that holds `line`, in order; undefined while none are drawn there. */
export function lensesAbove(page: Page, line: string): Promise<string[] | undefined> {
  return page.evaluate((line) => {
    const { document } = globalThis as unknown as PageGlobals;
    const row = [...document.querySelectorAll(".editor-instance .monaco-editor .view-line")].find((r) => (r.textContent ?? "").replace(/\u00a0/g, " ").includes(line));
    if (!row) return undefined;
    const lineBox = row.getBoundingClientRect();
    // A lens group sits in the space the editor opens between this line and the one above it.
    const group = [...document.querySelectorAll(".editor-instance .monaco-editor .codelens-decoration")].find((lens) => {
      const box = lens.getBoundingClientRect();
      return box.bottom <= lineBox.top + 1 && box.bottom >= lineBox.top - lineBox.height;
    });
    if (!group) return undefined;
    const titles = [...group.querySelectorAll("a")].map((a) => (a.textContent ?? "").replace(/\u00a0/g, " ").trim());
    return titles.length ? titles : undefined;
  }, line);
}

/** Rests the mouse on `box` and returns the text of the hover that opens; undefined while none is shown. */
export async function hoverOver(page: Page, box: Box): Promise<string | undefined> {
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const hover = page.locator(".monaco-editor .monaco-hover:not(.hidden) .monaco-hover-content").first();
  if (!(await hover.isVisible())) return undefined;
  return normalizeText(await hover.innerText());
}

/** Opens the Problems panel (Ctrl+Shift+M) and returns the text of each of its rows. */
export async function problems(page: Page): Promise<string[]> {
  if (!(await page.locator(".markers-panel").isVisible())) {
    await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+Shift+M");
    await page.locator(".markers-panel").waitFor({ timeout: WAIT_MS });
  }
  return (await page.locator(".markers-panel .monaco-list-row").allInnerTexts()).map(normalizeText);
}

function normalizeText(text: string): string {
  return text.replace(/\u00a0/g, " ").replace(/[ \t]+/g, " ").trim();
}
