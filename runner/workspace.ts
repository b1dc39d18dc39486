/**
 * Where the embedded runner keeps its state: `.aloft/` in the workspace, the
 * nearest folder up from the current one that already has `.aloft/` or a
 * `package.json` (so every command run inside a project sees the same state).
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export interface Workspace {
  root: string;
  stateDir: string;
  database: string;
  blobs: string;
  bundles: string;
  logs: string;
  locks: string;
  /** The runner service's admin token (mode 0600), read by clients on this machine. */
  runnerToken: string;
}

export function findWorkspace(start: string = process.cwd(), explicit = process.env.ALOFT_WORKSPACE): Workspace {
  return workspaceAt(explicit ? resolve(explicit) : discoverRoot(resolve(start)));
}

function discoverRoot(start: string): string {
  let packageRoot: string | undefined;
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".aloft"))) return dir;
    if (!packageRoot && existsSync(join(dir, "package.json"))) packageRoot = dir;
    if (dirname(dir) === dir) return packageRoot ?? start;
  }
}

export function workspaceAt(root: string): Workspace {
  const stateDir = join(root, ".aloft");
  return {
    root,
    stateDir,
    database: join(stateDir, "state.db"),
    blobs: join(stateDir, "blobs"),
    bundles: join(stateDir, "bundles"),
    logs: join(stateDir, "logs"),
    locks: join(stateDir, "locks"),
    runnerToken: join(stateDir, "runner-token"),
  };
}
