// One language server in a child process, spoken to over its stdio with
// vscode-jsonrpc as an editor would: initialize, open a document, edit it,
// and wait for the published diagnostics that match what the text now says.
import { spawn, type ChildProcess } from "node:child_process";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node.js";
import {
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  type PublishDiagnosticsParams,
} from "vscode-languageserver-protocol";

export interface Published extends PublishDiagnosticsParams {
  /** `performance.now()` when it arrived. */
  at: number;
}

export interface ServerCommand {
  name: string;
  command: string;
  args: string[];
  initializationOptions?: unknown;
}

export class LspSession {
  readonly published: Published[] = [];
  stderr = "";
  #waiter: (() => void) | undefined;
  #version = 1;
  #exited = false;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly connection: MessageConnection,
  ) {
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-20_000)));
    child.on("exit", () => (this.#exited = true));
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.published.push({ ...params, at: performance.now() });
      this.#waiter?.();
    });
    // Configuration, progress and registration requests: an editor without those features answers null.
    connection.onRequest(() => null);
  }

  static async start(server: ServerCommand, workspace: string): Promise<LspSession> {
    const child = spawn(server.command, server.args, { cwd: workspace, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const session = new LspSession(server.name, child, connection);
    connection.listen();
    const rootUri = new URL(`file://${workspace}/`).href;
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: "workspace" }],
      capabilities: { textDocument: { publishDiagnostics: { versionSupport: true }, synchronization: { didSave: false, dynamicRegistration: false } } },
      initializationOptions: server.initializationOptions ?? null,
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return session;
  }

  async open(uri: string, text: string): Promise<void> {
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "typescript", version: 1, text } });
  }

  /** Replaces the text of 0-based `line` (whose old text is `before`); returns when the edit was sent and the document's version. */
  async replaceLine(uri: string, line: number, before: string, after: string): Promise<{ sentAt: number; version: number }> {
    const version = ++this.#version;
    const sentAt = performance.now();
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: before.length } }, text: after }],
    });
    return { sentAt, version };
  }

  /**
   * The first diagnostics for `uri` that arrived after `since` and satisfy
   * `matches` (and, when the server names a version, are of `version` or
   * later), with how many other publishes for `uri` came before it.
   */
  async waitFor(uri: string, since: number, matches: (p: Published) => boolean, timeoutMs: number, version?: number): Promise<{ published: Published; skipped: number }> {
    const deadline = performance.now() + timeoutMs;
    let from = 0;
    let skipped = 0;
    for (;;) {
      for (; from < this.published.length; from++) {
        const p = this.published[from]!;
        if (p.uri !== uri || p.at < since) continue;
        const current = version === undefined || p.version === undefined || p.version === null || p.version >= version;
        if (current && matches(p)) return { published: p, skipped };
        skipped++;
      }
      if (this.#exited) throw new Error(`${this.name} exited while diagnostics were awaited\n${this.stderr}`);
      const left = deadline - performance.now();
      if (left <= 0) {
        const last = this.published.filter((p) => p.uri === uri).at(-1);
        throw new Error(`${this.name}: no matching diagnostics within ${timeoutMs} ms; the last published: ${JSON.stringify(last?.diagnostics.map((d) => ({ line: d.range.start.line, severity: d.severity, message: d.message })))}\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
  }

  /** Asks the server to shut down and exit; ends the process if it does not. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => (this.#exited ? resolve() : this.child.once("exit", () => resolve())));
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((resolve) => setTimeout(resolve, 5000))]);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // the server is gone already
    }
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
    this.connection.dispose();
  }
}
