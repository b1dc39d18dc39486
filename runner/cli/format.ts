/**
 * How values, durations and errors read in a terminal.
 */
import { relative } from "node:path";
import { isWireDate, isWireDir, isWireFile, type WireValue } from "../data/wire.ts";
import type { ErrorInfo } from "../../compiler/errors.ts";
import type { BlobStore } from "../blobs/blob-store.ts";

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (useColor ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = paint(1);
export const dim = paint(2);
export const red = paint(31);
export const green = paint(32);
export const yellow = paint(33);
export const cyan = paint(36);

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return "";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${Math.round((ms % 60_000) / 1000)}s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Replaces files and dirs by their local paths, for people and for `--json`. */
export function localizeValue(value: WireValue | undefined, blobs: BlobStore): unknown {
  if (value === undefined) return null;
  if (isWireFile(value)) return { ...value.$file, path: blobs.pathOf(value.$file.digest) };
  if (isWireDir(value)) return { ...value.$dir, manifest: blobs.pathOf(value.$dir.digest) };
  if (isWireDate(value)) return value.$date;
  if (Array.isArray(value)) return value.map((v) => localizeValue(v, blobs));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, localizeValue(v as WireValue, blobs)]));
  }
  return value;
}

/** One readable block for an execution's outputs. */
export function formatOutputs(value: WireValue | undefined, blobs: BlobStore): string {
  const show = (v: WireValue): string => {
    if (isWireFile(v)) {
      return `${relative(process.cwd(), blobs.pathOf(v.$file.digest))} ${dim(`(${v.$file.name}, ${formatBytes(v.$file.size)})`)}`;
    }
    if (isWireDir(v)) return `Dir ${v.$dir.name} ${dim(v.$dir.digest.slice(0, 19))}`;
    if (isWireDate(v)) return v.$date;
    const text = JSON.stringify(v);
    return text.length > 200 ? `${text.slice(0, 197)}...` : text;
  };
  if (value !== null && typeof value === "object" && !Array.isArray(value) && !isWireFile(value) && !isWireDir(value) && !isWireDate(value)) {
    return Object.entries(value)
      .map(([k, v]) => `  ${bold(k)}: ${show(v as WireValue)}`)
      .join("\n");
  }
  return `  ${show(value ?? null)}`;
}

export function formatError(error: ErrorInfo): string {
  const where = [error.node && `node "${error.node}"`, error.field && `field "${error.field}"`].filter(Boolean).join(", ");
  const head = `${red("error")} ${dim(`[${error.code}]`)} ${error.message}${where && !error.message.includes(error.node ?? "\0") ? dim(` (${where})`) : ""}`;
  const stack = error.stack ? `\n${dim(indent(userFrames(error.stack)))}` : "";
  return head + stack;
}

/** Keeps the frames of the user's code; aloft's own frames say nothing to them. */
function userFrames(stack: string): string {
  const lines = stack.split("\n");
  const frames = lines.filter((l) => l.trimStart().startsWith("at "));
  const mine = frames.filter((l) => !/[\\/](runner|sdk)[\\/]|node:internal|dist[\\/](cli|worker|sdk)\.js/.test(l));
  return (mine.length ? mine : frames).join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l.trim()}`)
    .join("\n");
}
