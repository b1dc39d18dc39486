/**
 * Which file on disk a document URI stands for. aloft checks, bundles and runs
 * files, so a document without one (`untitled:`, a diff view, a notebook cell)
 * is answered with why it is not checked rather than with a guess.
 */
import { fileURLToPath } from "node:url";

export type DocumentFile = { file: string } | { notAFile: string };

export function documentFile(uri: string): DocumentFile {
  let scheme: string;
  try {
    scheme = new URL(uri).protocol.slice(0, -1);
  } catch {
    return { notAFile: `"${uri}" is not a URI` };
  }
  if (scheme === "file") {
    try {
      return { file: fileURLToPath(uri) };
    } catch (error) {
      return { notAFile: `${uri} names no local file (${error instanceof Error ? error.message : String(error)})` };
    }
  }
  if (scheme === "untitled") return { notAFile: `${uri} is not saved yet: aloft checks files on disk, so save it as a .ts file to see its diagnostics, code lenses and graphs` };
  return { notAFile: `${uri} is not a file on disk (scheme "${scheme}"): aloft checks only file: documents` };
}
