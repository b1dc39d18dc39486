/**
 * What a person sees of a run in VS Code's workbench: a code lens to click,
 * the notifications, the terminal's lines, the rows of a side bar view, and
 * the document inside a webview (two iframes deep).
 */
import type { FrameLocator, Page } from "playwright-core";
import type { PageGlobals } from "./page-dom.ts";
import { WAIT_MS } from "./workbench.ts";

/** Clicks the code lens titled `title` drawn just above the line of the active editor that holds `line`. */
export async function clickLens(page: Page, line: string, title: string): Promise<void> {
  const box = await page.evaluate(
    ({ line, title }) => {
      const { document } = globalThis as unknown as PageGlobals;
      const row = [...document.querySelectorAll(".editor-instance .monaco-editor .view-line")].find((r) => (r.textContent ?? "").replace(/\u00a0/g, " ").includes(line));
      if (!row) return undefined;
      const lineBox = row.getBoundingClientRect();
      for (const lens of document.querySelectorAll(".editor-instance .monaco-editor .codelens-decoration a")) {
        const box = lens.getBoundingClientRect();
        const above = box.bottom <= lineBox.top + 1 && box.bottom >= lineBox.top - lineBox.height;
        if (above && (lens.textContent ?? "").replace(/\u00a0/g, " ").trim() === title) return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      }
      return undefined;
    },
    { line, title },
  );
  if (!box) throw new Error(`no code lens "${title}" above "${line}"`);
  await page.mouse.click(box.x, box.y);
}

/** Texts of the notification toasts shown now. */
export async function notifications(page: Page): Promise<string[]> {
  return (await page.locator(".notification-toast").allInnerTexts()).map((text) => text.replace(/\s+/g, " ").trim());
}

/** The lines the visible terminal draws (its DOM renderer: terminal.integrated.gpuAcceleration off). */
export async function terminalLines(page: Page): Promise<string[]> {
  const rows = await page.locator(".panel .terminal-wrapper.active .xterm-rows > div").allInnerTexts();
  return rows.map((row) => row.replace(/\u00a0/g, " ").trimEnd()).filter(Boolean);
}

/** Names of the terminals in the panel's terminal list or tab. */
export async function terminalNames(page: Page): Promise<string[]> {
  return (await page.locator(".panel .terminal-tabs-entry, .panel .single-terminal-tab").allInnerTexts()).map((text) => text.replace(/\s+/g, " ").trim());
}

/** Opens the side bar container of an activity bar entry by its label, as a click on its icon does. */
export async function openActivity(page: Page, label: string): Promise<void> {
  const item = page.locator(`.part.activitybar .action-item a.action-label[aria-label^="${label}"]`).first();
  await item.waitFor({ timeout: WAIT_MS });
  const container = page.locator(`.part.sidebar .composite.title h2`, { hasText: label });
  if (!(await container.isVisible())) await item.click();
  await container.first().waitFor({ timeout: WAIT_MS });
}

/** The rows of the side bar's trees: each row's label, then its description after a space. */
export async function sideBarRows(page: Page): Promise<string[]> {
  const rows = await page.locator(".part.sidebar .monaco-list-row").evaluateAll((elements) =>
    elements.map((row) => [row.querySelector(".label-name")?.textContent ?? row.textContent ?? "", row.querySelector(".label-description")?.textContent ?? ""].join(" ")),
  );
  return rows.map((text) => text.replace(/\s+/g, " ").trim());
}

/** Clicks the side bar row whose text holds all of `texts`. */
export async function clickSideBarRow(page: Page, ...texts: string[]): Promise<void> {
  let row = page.locator(".part.sidebar .monaco-list-row");
  for (const text of texts) row = row.filter({ hasText: text });
  await row.first().click();
}

/** The document of the webview whose tab is titled `title` (VS Code puts it in an iframe inside an iframe). */
export function webview(page: Page): FrameLocator {
  return page.frameLocator("iframe.webview.ready").last().frameLocator("#active-frame");
}

/** Clicks a button of the notification toast that holds `text`. */
export async function clickNotificationButton(page: Page, text: string, button: string): Promise<void> {
  await page.locator(".notification-toast", { hasText: text }).locator(".monaco-button", { hasText: button }).first().click();
}

/** Right-clicks the side bar row whose text holds all of `texts`, and picks `action` from its context menu. */
export async function sideBarRowAction(page: Page, texts: string[], action: string): Promise<void> {
  let row = page.locator(".part.sidebar .monaco-list-row");
  for (const text of texts) row = row.filter({ hasText: text });
  await row.first().click({ button: "right" });
  const menu = page.locator(".context-view .monaco-menu");
  const item = menu.locator(".action-item .action-label", { hasText: action }).first();
  await item.waitFor({ timeout: WAIT_MS });
  await item.click();
  // A click that lands while the menu is still settling is dropped, the item left highlighted: Enter runs the highlighted item.
  const closed = await menu.waitFor({ state: "hidden", timeout: 2000 }).then(() => true, () => false);
  if (!closed) {
    await item.hover();
    await page.keyboard.press("Enter");
    await menu.waitFor({ state: "hidden", timeout: WAIT_MS });
  }
}
