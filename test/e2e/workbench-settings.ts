/**
 * The user settings of every editor the test starts: workspace trust off
 * (else the window opens in Restricted Mode and no extension activates), no
 * welcome page, tips, updates or telemetry that would cover what is tested.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  mkdirSync(join(userDataDir, "User"), { recursive: true });
  const all = {
    "security.workspace.trust.enabled": false,
    "workbench.startupEditor": "none",
    "extensions.autoUpdate": false,
    "extensions.autoCheckUpdates": false,
    "update.mode": "none",
    "telemetry.telemetryLevel": "off",
    "workbench.tips.enabled": false,
    ...settings,
  };
  writeFileSync(join(userDataDir, "User/settings.json"), JSON.stringify(all, null, 2));
}
