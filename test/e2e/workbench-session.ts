/**
 * One VS Code workbench the editor test drives: code-server in Chromium, or
 * a desktop VS Code (Electron). Either gives a Page over the same workbench
 * DOM, so every step (workbench.ts, workbench-runs.ts) runs on both.
 */
import type { Page } from "playwright-core";
import type { FailureEvidence } from "./failure-artifacts.ts";

export interface WorkbenchSession {
  /** The workbench window; another one after openFolder on a desktop VS Code. */
  readonly page: Page;
  /** Shows `folder` as the workspace, waiting until its explorer is drawn. */
  openFolder(folder: string): Promise<void>;
  /** What tells why a step failed: the page, its console, the editor's logs. */
  evidence(): FailureEvidence;
  /** Ends the editor and every process it started. */
  close(): Promise<void>;
}

export interface SessionSetup {
  /** A fresh folder the session keeps its profile, extensions and logs in. */
  root: string;
  /** The folder opened first. */
  workspace: string;
  /** The extension, installed from it as a user installs it. */
  vsix: string;
  /** User settings the test needs, over the ones every session has (workbench-settings.ts). */
  settings: Record<string, unknown>;
}

export interface WorkbenchTarget {
  /** As the suite is named: "code-server + Chromium". */
  name: string;
  /** A folder name for its screenshots. */
  slug: string;
  /** Fails, saying why, when the target cannot run here: before anything is built for it. */
  check?(): void;
  start(setup: SessionSetup): Promise<WorkbenchSession>;
}
