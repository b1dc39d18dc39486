/**
 * TypeScript's own diagnostics for one file, as `CompilerDiagnostic`s: a
 * workflow file that does not type-check is reported like any other error.
 */
import { rangeToPositions, type CompilerDiagnostic } from "./diagnostics.ts";
import { DiagnosticCategory, type Diagnostic } from "./ts-api.ts";
import type { OpenedFile, PendingDiagnostics, Program, Project, TypeScriptSession } from "./ts-api.ts";

/** "Cannot find module 'x'" and its variants that suggest other settings. */
const MODULE_NOT_FOUND_CODES = new Set([2307, 2792]);

/**
 * TypeScript's errors of files opened together, asked of tsgo at once
 * (`start`) and collected file by file once aloft's own reading is done:
 * tsgo's diagnostics checker works through them meanwhile.
 *
 * When the files are most of their project, the whole program is asked for in
 * one request, as `tsc` checks it; otherwise each file is asked for on its own.
 */
export class TypeErrorsLater {
  /** Per project, the answer for each file asked about. */
  readonly #semantic = new Map<Project, Map<string, (opened: OpenedFile) => readonly Diagnostic[]>>();
  readonly #pending: PendingDiagnostics[] = [];
  readonly #ofProject = new Map<Program, Diagnostic[]>();

  constructor(private readonly session: TypeScriptSession) {}

  /** Asks for the errors of `opened`, project by project. */
  start(opened: readonly OpenedFile[]): void {
    const byProject = new Map<Project, string[]>();
    for (const o of opened) byProject.set(o.project, [...(byProject.get(o.project) ?? []), o.file]);
    for (const [project, files] of byProject) this.#startProject(project, files);
  }

  #startProject(project: Project, files: readonly string[]): void {
    let ofProject = this.#semantic.get(project);
    if (!ofProject) this.#semantic.set(project, (ofProject = new Map()));
    const wanted = files.filter((file) => !ofProject.has(file));
    if (checksMostOf(project, wanted.length)) {
      const whole = this.#later(this.session.semanticDiagnosticsLater(project));
      // Collected file by file at the end: asked now, they are waiting by then.
      this.session.primeSyntacticDiagnostics(project, wanted);
      let byFile: Map<string, Diagnostic[]> | undefined;
      for (const file of wanted) {
        ofProject.set(file, (opened) => {
          byFile ??= groupByFile(whole());
          // tsgo names each diagnostic's file as it names the source file.
          return byFile.get(opened.sourceFile.fileName) ?? [];
        });
      }
    } else {
      for (const file of wanted) ofProject.set(file, this.#later(this.session.semanticDiagnosticsLater(project, file)));
    }
  }

  /** TypeScript's diagnostics for `opened`, its project's configuration problems included. */
  of(opened: OpenedFile): CompilerDiagnostic[] {
    const semantic = this.#semantic.get(opened.project)?.get(opened.file);
    if (!semantic) throw new Error(`no type errors were asked for ${opened.file}`);
    return typescriptDiagnostics(opened, this.session, semantic(opened), this.#projectDiagnostics(opened));
  }

  /** Drops the answers nobody collected (a reading that failed half way). */
  abandon(): void {
    for (const pending of this.#pending) pending.abandon();
  }

  #later(pending: PendingDiagnostics): () => readonly Diagnostic[] {
    this.#pending.push(pending);
    return () => pending.collect();
  }

  /** A broken tsconfig.json or compiler option explains errors in every file. */
  #projectDiagnostics(opened: OpenedFile): Diagnostic[] {
    if (opened.synthesizedConfig) return [];
    let found = this.#ofProject.get(opened.program);
    if (!found) {
      found = [...opened.program.getConfigFileParsingDiagnostics(), ...opened.program.getProgramDiagnostics()];
      this.#ofProject.set(opened.program, found);
    }
    return found;
  }
}

/**
 * True when checking the whole program costs about what checking `count` of
 * its files does: they are at least half its own files, and declaration files
 * of libraries are not checked either way (`skipLibCheck`).
 */
function checksMostOf(project: Project, count: number): boolean {
  if (count < 2 || !project.compilerOptions.skipLibCheck) return false;
  const own = project.rootFiles.filter((f) => !/\.d\.[cm]?ts$/.test(f)).length;
  return count * 2 >= own;
}

function groupByFile(diagnostics: readonly Diagnostic[]): Map<string, Diagnostic[]> {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    if (d.fileName === undefined) continue; // asked file by file, TypeScript leaves these out too
    const known = byFile.get(d.fileName);
    if (known) known.push(d);
    else byFile.set(d.fileName, [d]);
  }
  return byFile;
}

export function typescriptDiagnostics(
  opened: OpenedFile,
  session: TypeScriptSession,
  semantic: readonly Diagnostic[],
  ofProject: readonly Diagnostic[],
): CompilerDiagnostic[] {
  const { program, file, text } = opened;
  const ofFile = [...program.getSyntacticDiagnostics(file), ...semantic];

  const result: CompilerDiagnostic[] = [];
  for (const d of ofFile) {
    const sdkMissing = isAloftNotFound(d, text);
    result.push({
      file,
      ...rangeToPositions(text, d.pos, d.end),
      severity: severityOf(d),
      code: sdkMissing ? "ALOFT_SDK_NOT_FOUND" : `TS${d.code}`,
      message: sdkMissing ? sdkNotFoundMessage(file, opened) : flatten(d),
    });
  }
  const seen = new Set<string>();
  for (const d of ofProject) {
    const key = `${d.fileName}:${d.pos}:${d.code}:${d.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const where = d.fileName ?? opened.configFile;
    const whereText = session.readText(where) ?? "";
    result.push({
      file: where,
      ...(d.fileName ? rangeToPositions(whereText, d.pos, d.end) : { line: 1, column: 1, endLine: 1, endColumn: 1 }),
      severity: severityOf(d),
      code: `TS${d.code}`,
      message: flatten(d),
    });
  }
  return result;
}

function severityOf(d: Diagnostic): CompilerDiagnostic["severity"] {
  return d.category === DiagnosticCategory.Error ? "error" : "warning";
}

/** The message with its chain of reasons, indented as `tsc` prints them. */
function flatten(d: Diagnostic, depth = 0): string {
  const lines = [`${"  ".repeat(depth)}${d.text}`];
  for (const next of d.messageChain ?? []) lines.push(flatten(next, depth + 1));
  return lines.join("\n");
}

function isAloftNotFound(d: Diagnostic, text: string): boolean {
  if (!MODULE_NOT_FOUND_CODES.has(d.code)) return false;
  const specifier = text.slice(d.pos, d.end);
  return specifier === '"aloft"' || specifier === "'aloft'";
}

function sdkNotFoundMessage(file: string, opened: OpenedFile): string {
  const lone = opened.synthesizedConfig ? " (there is no tsconfig.json above it)" : "";
  return (
    `cannot find the aloft SDK: "aloft" does not resolve from ${file}${lone}. ` +
    `Install aloft where this file can import it (npm install aloft) so its tasks and workflows can be checked and run.`
  );
}
