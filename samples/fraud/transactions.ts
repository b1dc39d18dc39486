/**
 * The transaction CSV format the fraud sample reads and writes: one header
 * row, then one transaction per line, label 1 for fraud.
 */
import type { File } from "aloft";

export const COLUMNS = ["amount", "hour", "merchantRisk", "distanceFromHome", "foreign", "cardPresent", "label"] as const;

export type Column = (typeof COLUMNS)[number];
export type Transaction = Record<Column, number>;

export const CSV_HEADER = COLUMNS.join(",");

/**
 * Parses a transaction CSV. Columns may come in any order (extra ones are
 * ignored); a missing column or a non-numeric value fails naming the file,
 * line and column, so a bad input file is easy to find.
 */
export function parseTransactions(text: string, source: string): Transaction[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  const header = (lines[0] ?? "").split(",").map((name) => name.trim());
  const positions = COLUMNS.map((column) => {
    const at = header.indexOf(column);
    if (at < 0) throw new Error(`${source}: missing column "${column}" (the header must name ${COLUMNS.join(", ")})`);
    return at;
  });
  return lines.slice(1).map((line, i) => {
    const cells = line.split(",");
    const row = {} as Transaction;
    COLUMNS.forEach((column, c) => {
      const cell = cells[positions[c]!]?.trim() ?? "";
      const value = Number(cell);
      if (cell === "" || !Number.isFinite(value)) {
        throw new Error(`${source}, line ${i + 2}: column "${column}" is "${cell}", not a number`);
      }
      row[column] = value;
    });
    return row;
  });
}

export function formatTransactions(rows: readonly Transaction[]): string {
  return [CSV_HEADER, ...rows.map((row) => COLUMNS.map((column) => row[column]).join(","))].join("\n") + "\n";
}

export async function readTransactions(file: File): Promise<Transaction[]> {
  return parseTransactions(await file.text(), file.name);
}
