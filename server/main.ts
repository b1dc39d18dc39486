/**
 * aloft's language server: a thin LSP layer over the compiler. It maps open
 * documents to diagnostics (with quick fixes), code lenses, hovers and graphs; every answer
 * comes from `readEntities` (compiler/interfaces.ts) through one long-lived
 * TypeScript session that sees unsaved text as overlays.
 */
import { readFileSync } from "node:fs";
import {
  CodeActionKind,
  createConnection,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  MessageType,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from "vscode-languageserver/node.js";
import { TextDocument } from "vscode-languageserver-textdocument";
import { AnalysisScheduler } from "./analysis-scheduler.ts";
import { codeLenses } from "./code-lenses.ts";
import { analyzeDocument, type DocumentAnalysis } from "./document-analysis.ts";
import { documentFile } from "./document-files.ts";
import { graphOf } from "./graph-request.ts";
import { notCheckedDiagnostic } from "./lsp-diagnostics.ts";
import { entityHover } from "./hover.ts";
import { GRAPH_REQUEST, type GraphParams, type GraphResult } from "./protocol.ts";
import { quickFixes } from "./quick-fixes.ts";
import { errorText, type ServerLog } from "./server-log.ts";
import { SessionChecker } from "./session-checker.ts";
import { consoleToClient, takeStdout } from "./stdout-guard.ts";

/** A check slower than this is worth a line in the client's log. */
const SLOW_CHECK_MS = 500;

export interface ServerStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/** Starts the server on stdio (or the given streams); it runs until the client ends the connection. */
export function startServer(streams: ServerStreams = { input: process.stdin, output: takeStdout() }): Connection {
  const connection = createConnection(streams.input, streams.output);
  consoleToClient(connection.console);
  const log: ServerLog = {
    info: (message) => connection.console.info(message),
    error: (message) => connection.console.error(message),
    warnUser: (message) => {
      connection.console.warn(message);
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message });
    },
  };
  // A failure in one request or check must not take the editor's server down with it.
  process.on("uncaughtException", (error) => log.error(`aloft language server: ${error.stack ?? error.message}`));
  process.on("unhandledRejection", (reason) => log.error(`aloft language server: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));

  const documents = new TextDocuments(TextDocument);
  const checker = new SessionChecker(log);
  const notCheckedSaid = new Set<string>();

  const analyze = (uri: string): DocumentAnalysis => {
    const document = documents.get(uri);
    const snapshot = { uri, version: document?.version ?? -1, text: document?.getText() ?? "" };
    const started = performance.now();
    let analysis: DocumentAnalysis;
    try {
      analysis = analyzeDocument(snapshot, checker);
    } catch (error) {
      log.error(`checking ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      const notChecked = `aloft could not check ${uri}: ${errorText(error)} (an internal error; the server log has the stack)`;
      analysis = { ...snapshot, entities: [], diagnostics: [notCheckedDiagnostic(notChecked)], graphs: {}, graphsUnavailable: {}, sources: new Set<string>(), notChecked };
    }
    const took = performance.now() - started;
    if (took > SLOW_CHECK_MS) log.info(`checking ${analysis.file ?? uri} took ${Math.round(took)} ms`);
    if (analysis.notChecked !== undefined && !notCheckedSaid.has(`${uri}\n${analysis.notChecked}`)) {
      notCheckedSaid.add(`${uri}\n${analysis.notChecked}`);
      log.info(analysis.notChecked);
    }
    return analysis;
  };

  const scheduler = new AnalysisScheduler<DocumentAnalysis>({
    openDocuments: () => documents.keys(),
    currentVersion: (uri) => documents.get(uri)?.version,
    analyze,
    reads: (analysis, uri) => {
      const where = documentFile(uri);
      return "file" in where && analysis.sources.has(where.file);
    },
    publish: (uri, analysis) => void connection.sendDiagnostics({ uri, version: analysis.version, diagnostics: analysis.diagnostics }),
  });

  /** The current analysis of an open document; undefined (and a line in the log) for one the client never opened. */
  const openAnalysis = async (uri: string, request: string): Promise<DocumentAnalysis | undefined> => {
    if (!documents.get(uri)) {
      log.info(`${request} for ${uri}: the document is not open (no textDocument/didOpen came for it)`);
      return undefined;
    }
    return scheduler.analysisOf(uri);
  };

  let watchFiles = false;
  connection.onInitialize((params): InitializeResult => {
    watchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeLensProvider: { resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: "aloft" },
    };
  });

  connection.onInitialized(() => {
    if (!watchFiles) return;
    // New and deleted files change what imports resolve to; the session notices edits of known files by itself.
    connection.client
      .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: "**/*.{ts,mts,cts,tsx,json}" }] })
      .catch((error: unknown) => log.info(`could not watch files, new and deleted files are noticed when a document changes: ${errorText(error)}`));
  });

  let justOpened: string | undefined;
  documents.onDidOpen(({ document }) => {
    justOpened = document.uri;
  });
  documents.onDidChangeContent(({ document }) => {
    const where = documentFile(document.uri);
    const differs = "file" in where ? checker.setText(where.file, document.getText()) : true;
    // Opening a file as it is on disk changes nothing for the documents that import it.
    if (justOpened === document.uri && !differs) scheduler.opened(document.uri);
    else scheduler.changed(document.uri);
    justOpened = undefined;
  });
  documents.onDidClose(({ document }) => {
    scheduler.closed(document.uri);
    const where = documentFile(document.uri);
    if ("file" in where) checker.forget(where.file);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  connection.onDidChangeWatchedFiles(({ changes }) => {
    const files = { changed: [] as string[], created: [] as string[], deleted: [] as string[] };
    for (const change of changes) {
      const where = documentFile(change.uri);
      if (!("file" in where)) continue;
      if (change.type === FileChangeType.Created) files.created.push(where.file);
      else if (change.type === FileChangeType.Deleted) files.deleted.push(where.file);
      else files.changed.push(where.file);
    }
    checker.filesChanged(files);
    scheduler.changedOnDisk();
  });

  connection.onCodeLens(async ({ textDocument }) => {
    const analysis = await openAnalysis(textDocument.uri, "textDocument/codeLens");
    if (!analysis?.file) return [];
    return codeLenses(analysis.file, analysis.text, analysis.entities);
  });

  connection.onCodeAction(async ({ textDocument, range, context }) => {
    // Only quick fixes are offered: a client asking for other kinds alone gets none.
    if (context.only && !context.only.some((kind) => CodeActionKind.QuickFix.startsWith(kind))) return [];
    const analysis = await openAnalysis(textDocument.uri, "textDocument/codeAction");
    return analysis ? quickFixes(textDocument.uri, analysis.diagnostics, range) : [];
  });

  connection.onHover(async ({ textDocument, position }) => {
    const analysis = await openAnalysis(textDocument.uri, "textDocument/hover");
    if (!analysis) return null;
    const text = TextDocument.create(analysis.uri, "typescript", analysis.version, analysis.text);
    return entityHover(analysis, text.offsetAt(position), (offset) => text.positionAt(offset));
  });

  connection.onRequest(GRAPH_REQUEST, async (params: GraphParams | undefined): Promise<GraphResult> => {
    if (typeof params?.uri !== "string" || typeof params.entity !== "string") {
      return { error: `${GRAPH_REQUEST} wants { uri, entity }, both strings; got ${JSON.stringify(params)}` };
    }
    if (documents.get(params.uri)) {
      const analysis = await scheduler.analysisOf(params.uri);
      return analysis ? graphOf(analysis, params.entity) : { error: `${params.uri} was closed before it was checked` };
    }
    // A file the editor has not opened is read from disk.
    const where = documentFile(params.uri);
    if ("notAFile" in where) return { error: `no graph of "${params.entity}": ${where.notAFile}` };
    let text: string;
    try {
      text = readFileSync(where.file, "utf8");
    } catch (error) {
      return { error: `no graph of "${params.entity}": cannot read ${where.file} (${errorText(error)})` };
    }
    return graphOf(analyzeDocument({ uri: params.uri, version: -1, text }, checker), params.entity);
  });

  connection.onShutdown(() => {
    scheduler.stop();
    checker.close();
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}
