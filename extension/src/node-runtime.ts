/**
 * Which Node runs the language server. The editor's own executable is used
 * only when it is plain Node (code-server's extension host is); desktop VS
 * Code's is Electron, so there `node` from PATH runs it. The
 * `aloft.server.runtime` setting overrides both.
 */
export interface ExtensionHost {
  execPath: string;
  versions: Partial<Record<string, string>>;
}

export interface NodeRuntime {
  command: string;
  /** Why this one, for the log. */
  how: string;
}

export function nodeRuntime(configured: string, host: ExtensionHost): NodeRuntime {
  if (configured.trim()) return { command: configured.trim(), how: "aloft.server.runtime" };
  if (host.versions.electron === undefined) return { command: host.execPath, how: `the editor's own Node ${host.versions.node ?? ""}`.trimEnd() };
  return { command: "node", how: `node from PATH (the editor runs on Electron ${host.versions.electron})` };
}
