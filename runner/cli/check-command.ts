/**
 * `aloft check [--json] [PATH ...]`: TypeScript's and aloft's diagnostics for
 * every workflow file (a `.ts` file that imports `aloft`) under the paths.
 * Exit code 1 when there is any error.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CompilerDiagnostic } from "../../compiler/diagnostics.ts";
import { readEntitiesOfFiles } from "../../compiler/interfaces.ts";
import { TypeScriptSession } from "../../compiler/ts-api.ts";
import { dim, green, red } from "./format.ts";
import { formatDiagnostics } from "./run-command.ts";
import { UsageError } from "./usage.ts";

const SKIPPED_FOLDERS = new Set(["node_modules", "dist", ".aloft", ".git"]);
const IMPORTS_ALOFT = /\bfrom\s+["']aloft["']|\bimport\s*\(\s*["']aloft["']\s*\)|\brequire\(\s*["']aloft["']\s*\)/;

export async function checkCommand(args: string[]): Promise<number> {
  const json = args.includes("--json");
  const unknown = args.find((a) => a.startsWith("--") && a !== "--json");
  if (unknown) throw new UsageError(`unknown option ${unknown} for aloft check`);
  const paths = args.filter((a) => !a.startsWith("--"));
  const files = workflowFiles(paths.length ? paths : ["."]);
  const diagnostics = checkFiles(files);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  if (json) {
    process.stdout.write(`${JSON.stringify(diagnostics)}\n`);
  } else {
    if (diagnostics.length) process.stdout.write(`${formatDiagnostics(diagnostics)}\n`);
    const warnings = diagnostics.length - errors;
    const summary = `${errors} error(s), ${warnings} warning(s) in ${files.length} workflow file(s)`;
    process.stderr.write(`${errors ? red("✗") : green("✓")} ${summary}\n`);
    if (!files.length) process.stderr.write(dim("no .ts file under these paths imports aloft\n"));
  }
  return errors ? 1 : 0;
}

/** Diagnostics of each file (never of files they import), all files read together in one session. */
export function checkFiles(files: readonly string[], options: { cwd?: string } = {}): CompilerDiagnostic[] {
  const session = new TypeScriptSession(options);
  const seen = new Set<string>();
  const out: CompilerDiagnostic[] = [];
  try {
    const readings = readEntitiesOfFiles(files, session);
    files.forEach((file, i) => {
      for (const d of readings[i]!.diagnostics) {
        const key = `${d.file}:${d.line}:${d.column}:${d.code}:${d.message}`;
        if (d.file !== resolve(file) || seen.has(key)) continue;
        seen.add(key);
        out.push(d);
      }
    });
  } finally {
    session.close();
  }
  return out;
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
