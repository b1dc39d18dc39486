/**
 * `aloft check [--json] [--pretty | --no-pretty] [--fix] [PATH ...]`:
 * TypeScript's and aloft's diagnostics for every workflow file (a `.ts` file
 * that imports `aloft`) under the paths; on a terminal (or with --pretty)
 * each with its source line. `--fix` writes the sure fixes, then checks
 * again. Exit code 1 when there is any error.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { startTsgo } from "../../compiler/tsgo-start.ts";
import { applyFixes } from "./apply-fixes.ts";
import { formatDiagnostics } from "./diagnostics-format.ts";
import { dim, green, red } from "./format.ts";
import { UsageError } from "./usage.ts";

const SKIPPED_FOLDERS = new Set(["node_modules", "dist", ".aloft", ".git"]);
const IMPORTS_ALOFT = /\bfrom\s+["']aloft["']|\bimport\s*\(\s*["']aloft["']\s*\)|\brequire\(\s*["']aloft["']\s*\)/;

export async function checkCommand(args: string[]): Promise<number> {
  const json = args.includes("--json");
  const unknown = args.find((a) => a.startsWith("--") && !["--json", "--pretty", "--no-pretty", "--fix"].includes(a));
  if (unknown) throw new UsageError(`unknown option ${unknown} for aloft check`);
  // As tsc: source lines on a terminal, one line per diagnostic into a pipe or a file, unless told (the last flag wins).
  const told = args.filter((a) => a === "--pretty" || a === "--no-pretty").at(-1);
  const pretty = told ? told === "--pretty" : !!process.stdout.isTTY;
  const paths = args.filter((a) => !a.startsWith("--"));
  const files = workflowFiles(paths.length ? paths : ["."]);
  const fix = args.includes("--fix");
  // What each file held when it was checked: --fix writes into no file that changed since.
  const checkedTexts = fix ? new Map(files.map((file) => [file, readFileSync(file, "utf8")])) : undefined;
  // tsgo loads the projects while the checker's modules load (they are imported only now for that).
  const started = files.length ? startTsgo(files, process.cwd()) : undefined;
  limitOptimizingCompiler();
  const { checkFiles } = await import("../../compiler/check-files.ts");
  let diagnostics = checkFiles(files, { started });
  if (checkedTexts) {
    const outcome = applyFixes(diagnostics, checkedTexts);
    for (const file of outcome.changedMeanwhile) process.stderr.write(`${relative(process.cwd(), file)} changed while it was checked: not fixed; run aloft check --fix again\n`);
    if (outcome.fixed) {
      process.stderr.write(`fixed ${outcome.fixed} problem(s) in ${outcome.files.length} file(s); checking again\n`);
      diagnostics = checkFiles(files);
    }
  }
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  if (json) {
    process.stdout.write(`${JSON.stringify(diagnostics)}\n`);
  } else {
    if (diagnostics.length) process.stdout.write(`${formatDiagnostics(diagnostics, { pretty })}\n`);
    const warnings = diagnostics.length - errors;
    const summary = `${errors} error(s), ${warnings} warning(s) in ${files.length} workflow file(s)`;
    process.stderr.write(`${errors ? red("✗") : green("✓")} ${summary}\n`);
    if (!files.length) process.stderr.write(dim("no .ts file under these paths imports aloft\n"));
  }
  return errors ? 1 : 0;
}

/**
 * A check is over in a second or two: V8's optimizing compiler, working on the functions that
 * became hot, would spend on a core tsgo needs about as much CPU as the whole check of Node.
 * Only functions run many more times than usual are optimized (V8's default budget: 66 KB).
 */
export function limitOptimizingCompiler(): void {
  setFlagsFromString("--interrupt-budget=1000000");
}

export function workflowFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    const absolute = resolve(path);
    if (!existsSync(absolute)) throw new UsageError(`${path}: no such file or folder`);
    if (statSync(absolute).isDirectory()) collect(absolute, files);
    else files.push(absolute);
  }
  return [...new Set(files)].sort();
}

function collect(dir: string, into: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || SKIPPED_FOLDERS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) collect(path, into);
    else if (/\.(m?ts|tsx)$/.test(entry.name) && !entry.name.endsWith(".d.ts") && IMPORTS_ALOFT.test(readFileSync(path, "utf8"))) into.push(path);
  }
}
