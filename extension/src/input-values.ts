/**
 * The run form's logic, without VS Code: which prompt each input type gets,
 * whether a typed value reads as that type (as `aloft run` would read it on
 * its command line, runner/data/cli-input.ts), and the CLI arguments the
 * values become.
 */
import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { FieldSpec, TypeSpec } from "../../server/protocol.ts";
import { isIsoDate, jsonProblems } from "./json-shape.ts";

export type Prompt =
  /** Free text: strings and `any`. */
  | { kind: "text" }
  | { kind: "number" }
  /** A pick among fixed values: booleans, literals, null and unions of them. */
  | { kind: "choice"; options: string[] }
  | { kind: "date" }
  /** Arrays, records and maps, written as JSON. */
  | { kind: "json" }
  | { kind: "path"; target: "file" | "dir" }
  /** A union of unlike types (`number | string`): free text, read as the first option that takes it. */
  | { kind: "mixed" };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Options of a spec other than `undefined` (which an optional input already allows). */
function definedOptions(spec: TypeSpec): TypeSpec[] {
  return spec.kind === "union" ? spec.options.flatMap(definedOptions) : spec.kind === "undefined" ? [] : [spec];
}

/** An input that may be left out: optional, or its type admits undefined. */
export function mayBeLeftOut(field: FieldSpec): boolean {
  return field.optional || (field.type.kind === "union" && field.type.options.some((o) => o.kind === "undefined")) || field.type.kind === "undefined";
}

export function promptFor(field: FieldSpec): Prompt {
  const options = definedOptions(field.type);
  if (options.length === 1) return promptOf(options[0]!);
  const choices = options.map(choicesOf);
  if (options.length && choices.every((c) => c !== undefined)) return { kind: "choice", options: [...new Set(choices.flat())] };
  const kinds = new Set(options.map((o) => promptOf(o).kind));
  // `string[] | null`: null is JSON too.
  if (kinds.has("json") && [...kinds].every((k) => k === "json" || k === "choice" || k === "number")) return { kind: "json" };
  return { kind: "mixed" };
}

function promptOf(spec: TypeSpec): Prompt {
  const choices = choicesOf(spec);
  if (choices) return { kind: "choice", options: choices };
  switch (spec.kind) {
    case "number":
      return { kind: "number" };
    case "date":
      return { kind: "date" };
    case "file":
    case "dir":
      return { kind: "path", target: spec.kind };
    case "array":
    case "record":
    case "map":
      return { kind: "json" };
    default:
      return { kind: "text" };
  }
}

function choicesOf(spec: TypeSpec): string[] | undefined {
  if (spec.kind === "boolean") return ["true", "false"];
  if (spec.kind === "null") return ["null"];
  if (spec.kind === "literal") return [String(spec.value)];
  return undefined;
}

/** What the prompt shows under the input's name: its type as the user wrote it, and how to give it. */
export function promptHint(prompt: Prompt): string {
  switch (prompt.kind) {
    case "number":
      return "a number";
    case "date":
      return "an ISO date, like 2024-05-01 or 2024-05-01T12:00:00Z";
    case "json":
      return "JSON";
    case "path":
      return `path of a ${prompt.target === "dir" ? "folder" : "file"}, relative to the workspace folder (or press the folder button to browse)`;
    case "choice":
      return `one of ${prompt.options.join(", ")}`;
    default:
      return "text";
  }
}

export interface InputContext {
  /** The input's name, for messages. */
  name: string;
  /** The workspace folder relative paths are read from (the CLI runs there). */
  folder: string;
}

/**
 * Why `text` is not a value of the input, or undefined when it is. An empty
 * text leaves an optional input out; a required string may be empty.
 */
export function inputProblem(text: string, field: FieldSpec, context: InputContext): string | undefined {
  if (text === "") {
    if (mayBeLeftOut(field)) return undefined;
    return definedOptions(field.type).some((o) => o.kind === "string" || o.kind === "any") ? undefined : `input "${context.name}" is required`;
  }
  const options = definedOptions(field.type);
  const problems = options.map((option) => textProblem(text, option, context));
  if (problems.some((p) => p === undefined)) return undefined;
  if (options.length === 1) return problems[0];
  return `input "${context.name}" expects ${options.map(describe).join(" | ")}, and ${JSON.stringify(text)} reads as none of them`;
}

function textProblem(text: string, spec: TypeSpec, { name, folder }: InputContext): string | undefined {
  switch (spec.kind) {
    case "string":
    case "any":
      return undefined;
    case "number":
      return NUMBER.test(text.trim()) ? undefined : `input "${name}" expects a number, got ${JSON.stringify(text)}`;
    case "boolean":
      return text === "true" || text === "false" ? undefined : `input "${name}" expects true or false`;
    case "null":
      return text === "null" ? undefined : `input "${name}" expects null`;
    case "literal":
      return text === String(spec.value) ? undefined : `input "${name}" expects ${JSON.stringify(spec.value)}`;
    case "undefined":
      return `input "${name}": leave it empty to leave it out`;
    case "date":
      return isIsoDate(text) ? undefined : `input "${name}" expects an ISO date, like 2024-05-01`;
    case "file":
    case "dir":
      return pathProblem(text, spec.kind, name, folder);
    case "array":
    case "record":
    case "map":
    case "union": {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        return `input "${name}" is JSON: ${(error as Error).message}`;
      }
      const problems = jsonProblems(json, spec, name);
      return problems.length ? problems.join("; ") : undefined;
    }
  }
}

function pathProblem(text: string, target: "file" | "dir", name: string, folder: string): string | undefined {
  const path = isAbsolute(text) ? text : resolve(folder, text);
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return `input "${name}": there is no ${target === "dir" ? "folder" : "file"} at ${path}`;
  }
  if (target === "dir" && !isDir) return `input "${name}" expects a folder, and ${path} is a file`;
  if (target === "file" && isDir) return `input "${name}" expects a file, and ${path} is a folder`;
  return undefined;
}

function describe(spec: TypeSpec): string {
  return spec.kind === "literal" ? JSON.stringify(spec.value) : spec.kind === "file" ? "File" : spec.kind === "dir" ? "Dir" : spec.kind === "date" ? "Date" : spec.kind;
}

/**
 * `aloft run` arguments of the values, in the inputs' declared order, as
 * `--name=value` (so a value that starts with `--` stays a value). An empty
 * value of an input that may be left out is left out.
 */
export function inputArgs(values: Readonly<Record<string, string>>, inputs: Readonly<Record<string, FieldSpec>>): string[] {
  const args: string[] = [];
  for (const [name, field] of Object.entries(inputs)) {
    const value = values[name];
    if (value === undefined || (value === "" && mayBeLeftOut(field))) continue;
    args.push(`--${name}=${value}`);
  }
  return args;
}

/** A type as the TypeScript user wrote it (compiler/type-spec.ts's formatType, restated: the extension takes only types from the compiler). */
export function typeText(spec: TypeSpec): string {
  switch (spec.kind) {
    case "literal":
      return JSON.stringify(spec.value);
    case "date":
      return "Date";
    case "file":
      return "File";
    case "dir":
      return "Dir";
    case "array":
      return spec.items.kind === "union" ? `(${typeText(spec.items)})[]` : `${typeText(spec.items)}[]`;
    case "record": {
      const fields = Object.entries(spec.fields).map(([name, f]) => `${name}${f.optional ? "?" : ""}: ${typeText(f.type)}`);
      return fields.length ? `{ ${fields.join("; ")} }` : "{}";
    }
    case "map":
      return `Record<string, ${typeText(spec.values)}>`;
    case "union":
      return spec.options.length ? spec.options.map(typeText).join(" | ") : "never";
    default:
      return spec.kind;
  }
}
