/**
 * Generates the synthetic transactions in `data/`, reproducibly:
 *
 *   node --import tsx samples/fraud/generate-data.ts
 *
 * Fraud is drawn from a known logistic model of the features plus chance, so
 * it is learnable (AUC about 0.9) but never perfectly predictable.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { formatTransactions, type Transaction } from "./transactions.ts";

export const DATA_SEED = 20240607;
const FILES = 4;
const ROWS_PER_FILE = 1500;

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same numbers everywhere. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateTransactions(seed: number, count: number): Transaction[] {
  const random = mulberry32(seed);
  // Box-Muller: a standard normal from two uniforms.
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const rows: Transaction[] = [];
  for (let i = 0; i < count; i++) {
    const cardPresent = random() < 0.65 ? 1 : 0;
    const foreign = random() < 0.08 ? 1 : 0;
    const amount = round(Math.exp(3.4 + 1.1 * normal()), 2);
    const hour = (((Math.floor(14 + 5 * normal())) % 24) + 24) % 24;
    const merchantRisk = round(random() ** 2, 3);
    const distanceFromHome = round(Math.exp(1.6 + 1.2 * normal() + (foreign ? 3 : 0)), 1);
    const logit =
      -5 +
      1.05 * (Math.log(amount) - 3.4) +
      2.25 * (hour < 6 ? 1 : 0) +
      4.5 * merchantRisk +
      0.6 * (Math.log1p(distanceFromHome) - 1.9) +
      1.5 * foreign -
      2.25 * cardPresent;
    const label = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    rows.push({ amount, hour, merchantRisk, distanceFromHome, foreign, cardPresent, label });
  }
  return rows;
}

/** Writes `transactions-1.csv` … into `dir`, `rowsPerFile` rows each. */
export function writeDataset(dir: string, seed: number, files = FILES, rowsPerFile = ROWS_PER_FILE): void {
  mkdirSync(dir, { recursive: true });
  const rows = generateTransactions(seed, files * rowsPerFile);
  for (let f = 0; f < files; f++) {
    const slice = rows.slice(f * rowsPerFile, (f + 1) * rowsPerFile);
    writeFileSync(join(dir, `transactions-${f + 1}.csv`), formatTransactions(slice));
  }
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "data");
  writeDataset(dir, DATA_SEED);
  console.log(`wrote ${FILES} files of ${ROWS_PER_FILE} transactions to ${dir}`);
}
