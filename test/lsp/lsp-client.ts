/**
 * A real LSP client for the tests: `node dist/cli.js lsp --stdio` in a child
 * process, spoken to with vscode-jsonrpc over its stdio, recording every
 * notification it sends in arrival order.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node.js";
import {
  CodeActionRequest,
  CodeLensRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShowMessageNotification,
  ShutdownRequest,
  type CodeAction,
  type CodeLens,
  type Command,
  type Diagnostic,
  type Hover,
  type InitializeResult,
  type LogMessageParams,
  type Position,
  type PublishDiagnosticsParams,
  type Range,
  type Registration,
  type ShowMessageParams,
  type TextDocumentContentChangeEvent,
} from "vscode-languageserver-protocol";
import { GRAPH_REQUEST, type GraphResult } from "../../server/protocol.ts";

export const repo = resolve(import.meta.dirname, "../..");

export const uriOf = (path: string) => pathToFileURL(resolve(repo, path)).href;

export interface Published extends PublishDiagnosticsParams {
  /** `performance.now()` when it arrived. */
  at: number;
}

type Event = { kind: "diagnostics"; params: Published } | { kind: "log"; params: LogMessageParams } | { kind: "show"; params: ShowMessageParams };

export class LspClient {
  readonly published: Published[] = [];
  readonly logs: LogMessageParams[] = [];
  readonly shown: ShowMessageParams[] = [];
  /** Anything on the server's stdout that is not a well-formed message. */
  readonly protocolErrors: string[] = [];
  stderr = "";
  initializeResult!: InitializeResult;
  readonly #listeners = new Set<(event: Event) => void>();
  readonly #versions = new Map<string, number>();
  readonly #exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly connection: MessageConnection,
  ) {
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.#exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    connection.onError(([error]) => this.protocolErrors.push(error.message));
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => this.#emit({ kind: "diagnostics", params: { ...params, at: performance.now() } }));
    connection.onNotification(LogMessageNotification.type, (params) => this.#emit({ kind: "log", params }));
    connection.onNotification(ShowMessageNotification.type, (params) => this.#emit({ kind: "show", params }));
  }

  /** File watchers the server registered (`client/registerCapability`). */
  readonly registrations: Registration[] = [];

  static async start(options: { cwd?: string; args?: string[]; watchFiles?: boolean } = {}): Promise<LspClient> {
    const child = spawn(process.execPath, [join(repo, "dist/cli.js"), "lsp", ...(options.args ?? ["--stdio"])], {
      cwd: options.cwd ?? repo,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(child, connection);
    connection.onRequest(RegistrationRequest.type, ({ registrations }) => {
      client.registrations.push(...registrations);
      return null;
    });
    connection.listen();
    client.initializeResult = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(options.cwd ?? repo).href,
      workspaceFolders: null,
      capabilities: {
        textDocument: { codeLens: {}, hover: { contentFormat: ["markdown"] }, publishDiagnostics: { versionSupport: true } },
        ...(options.watchFiles ? { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } } : {}),
      },
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  /** Opens `path` (relative to the repository) with its disk text, or `text`. Returns its URI. */
  async open(path: string, text?: string, uri = uriOf(path)): Promise<string> {
    this.#versions.set(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: "typescript", version: 1, text: text ?? readFileSync(resolve(repo, path), "utf8") },
    });
    return uri;
  }

  /** Sends one edit; returns the document's new version. */
  async change(uri: string, ...changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = (this.#versions.get(uri) ?? 1) + 1;
    this.#versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  codeLenses(uri: string): Promise<CodeLens[] | null> {
    return this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<(CodeAction | Command)[] | null> {
    return this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics, ...(only ? { only } : {}) } });
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
  }

  graph(uri: string, entity: string): Promise<GraphResult> {
    return this.connection.sendRequest(GRAPH_REQUEST, { uri, entity });
  }

  /** Diagnostics published for `uri` from now on (or already, with `since`) that satisfy `test`. */
  diagnostics(uri: string, test: (p: Published) => boolean = () => true, options: { since?: number; timeoutMs?: number } = {}): Promise<Published> {
    const seen = this.published.slice(options.since ?? this.published.length).find((p) => p.uri === uri && test(p));
    if (seen) return Promise.resolve(seen);
    return this.#waitFor((e) => (e.kind === "diagnostics" && e.params.uri === uri && test(e.params) ? e.params : undefined), options.timeoutMs, `diagnostics of ${uri}`);
  }

  /** A log or shown message (from now on) matching `pattern`. */
  message(pattern: RegExp, timeoutMs?: number): Promise<LogMessageParams | ShowMessageParams> {
    return this.#waitFor((e) => (e.kind !== "diagnostics" && pattern.test(e.params.message) ? e.params : undefined), timeoutMs, `a message matching ${pattern}`);
  }

  /** Shuts the server down the way an editor does; resolves with its exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    }
    const code = await this.#exited;
    this.connection.dispose();
    return code;
  }

  /** Ends the server however it is doing (after a failed test). */
  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
    this.connection.dispose();
  }

  exited(): Promise<number | null> {
    return this.#exited;
  }

  #emit(event: Event): void {
    if (event.kind === "diagnostics") this.published.push(event.params);
    else if (event.kind === "log") this.logs.push(event.params);
    else this.shown.push(event.params);
    for (const listener of this.#listeners) listener(event);
  }

  #waitFor<T>(match: (event: Event) => T | undefined, timeoutMs = 20_000, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners.delete(listener);
        reject(new Error(`no ${what} within ${timeoutMs} ms; server log:\n${this.logs.map((l) => l.message).join("\n")}\nstderr:\n${this.stderr}`));
      }, timeoutMs);
      const listener = (event: Event) => {
        const found = match(event);
        if (found === undefined) return;
        clearTimeout(timer);
        this.#listeners.delete(listener);
        resolve(found);
      };
      this.#listeners.add(listener);
    });
  }
}

/** The LSP range of the first `needle` in `text` at or after `from`. */
export function rangeOf(text: string, needle: string, from = 0): { start: Position; end: Position } {
  const start = text.indexOf(needle, from);
  if (start < 0) throw new Error(`"${needle}" is not in the text`);
  return { start: positionAt(text, start), end: positionAt(text, start + needle.length) };
}

export function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}
