/**
 * What the server knows of one version of a document: its entities, its
 * diagnostics in LSP's shape, its workflows' static graphs, or why it could
 * not be checked. Every feature (diagnostics, lenses, hover, the graph
 * request) answers from one of these.
 */
import { resolve } from "node:path";
import { DiagnosticSeverity, type Diagnostic } from "vscode-languageserver/node.js";
import type { Graph } from "../compiler/graph.ts";
import type { EntityInterface } from "../compiler/type-spec.ts";
import { documentFile } from "./document-files.ts";
import { notCheckedDiagnostic, toLspDiagnostic } from "./lsp-diagnostics.ts";
import type { SessionChecker } from "./session-checker.ts";

export interface DocumentAnalysis {
  uri: string;
  /** The document version read; -1 for a file read from disk. */
  version: number;
  /** The file on disk the document stands for, when it has one. */
  file?: string;
  text: string;
  entities: EntityInterface[];
  /** The document's own diagnostics (never those of files it imports). */
  diagnostics: Diagnostic[];
  graphs: Record<string, Graph>;
  graphsUnavailable: Record<string, string>;
  /** Absolute paths of the files the check read: an edit of one of them may change this analysis. */
  sources: ReadonlySet<string>;
  /** Why the document was not checked at all. */
  notChecked?: string;
}

export interface DocumentSnapshot {
  uri: string;
  /** -1 for a file read from disk, not open in the editor. */
  version: number;
  text: string;
}

export function analyzeDocument(document: DocumentSnapshot, checker: SessionChecker): DocumentAnalysis {
  const base = { uri: document.uri, version: document.version, text: document.text, entities: [], graphs: {}, graphsUnavailable: {}, sources: new Set<string>() };
  const where = documentFile(document.uri);
  if ("notAFile" in where) {
    return { ...base, diagnostics: [notCheckedDiagnostic(where.notAFile, DiagnosticSeverity.Information)], notChecked: where.notAFile };
  }
  const file = resolve(where.file);
  if (document.version >= 0) checker.setText(file, document.text);
  const result = checker.check(file);
  if ("notChecked" in result) return { ...base, file, diagnostics: [notCheckedDiagnostic(result.notChecked)], notChecked: result.notChecked };
  const { reading } = result;
  const own = reading.diagnostics.filter((d) => resolve(d.file) === file);
  return {
    ...base,
    file,
    entities: reading.entities,
    diagnostics: own.map(toLspDiagnostic),
    graphs: reading.graphs,
    graphsUnavailable: reading.graphsUnavailable,
    sources: new Set(reading.sources.map((source) => resolve(source))),
  };
}
