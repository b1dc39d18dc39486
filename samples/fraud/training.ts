/**
 * Fraud-model training, batch by batch: the seed's Flyte example in aloft.
 *
 *   npm run aloft -- run samples/fraud/training.ts trainingWorkflow --data samples/fraud/data
 *
 * prepareBatches splits the transaction CSVs into batches; trainIterative
 * trains one logistic regression step per batch, threading the model file
 * from each step to the next; evaluate scores the final model.
 */
import { writeFile } from "node:fs/promises";
import { dynamic, task, workflow, Dir, File } from "aloft";
import { initialModel, parseModel, predict, serializeModel, trainOnBatch, type TrainingSettings } from "./logistic-regression.ts";
import { classificationMetrics, type Metrics } from "./metrics.ts";
import { formatTransactions, readTransactions, type Transaction } from "./transactions.ts";

const DEFAULT_BATCH_SIZE = 1000;

const TRAINING: TrainingSettings = { epochs: 5, stepRows: 50, learningRate: 0.3, l2: 0.001 };

/** Splits every CSV of `data` (in name order) into batch files of `batchSize` rows. */
export const prepareBatches = task(
  { retries: 2, cache: { version: "1" }, resources: { cpu: "500m", memory: "512Mi" } },
  async ({ data, batchSize }: { data: Dir; batchSize?: number }): Promise<Dir> => {
    const size = batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(size) || size < 1) {
      throw new Error(`batchSize must be a positive whole number, got ${size}`);
    }
    const sources = await csvFiles(data);
    const batches = await Dir.create(`batches-of-${size}`);
    let written = 0;
    let total = 0;
    const flush = async (rows: Transaction[]) => {
      const name = `batch-${String(written).padStart(4, "0")}.csv`;
      await writeFile(batches.file(name).path, formatTransactions(rows));
      written++;
    };
    let batch: Transaction[] = [];
    for (const source of sources) {
      for (const row of await readTransactions(source)) {
        total++;
        batch.push(row);
        if (batch.length === size) {
          await flush(batch);
          batch = [];
        }
      }
    }
    if (batch.length) await flush(batch);
    if (!written) throw new Error(`${data.name} holds CSV files but no transactions`);
    console.log(`prepareBatches: ${total} transactions from ${sources.length} files -> ${written} batches of up to ${size}`);
    return batches;
  },
);

/** One training step: the model so far (`null` to start fresh) trained on one batch. */
export const trainModel = task(
  { retries: 2, cache: { version: "1" }, resources: { cpu: "1", memory: "1Gi" } },
  async ({ batchName, state, batch }: { batchName: string; state: File | null; batch: File }): Promise<File> => {
    const rows = await readTransactions(batch);
    if (!rows.length) throw new Error(`batch ${batchName} (${batch.name}) has no transactions`);
    const start = state ? parseModel(await state.text(), state.name) : initialModel(rows);
    const model = trainOnBatch(start, batchName, rows, TRAINING);
    const step = model.history[model.history.length - 1]!;
    console.log(
      `trainModel ${batchName}: ${rows.length} rows, log-loss ${step.lossBefore.toFixed(4)} -> ${step.lossAfter.toFixed(4)}` +
        (state ? ` (step ${model.history.length})` : " (fresh model)"),
    );
    return File.write("fraud-model.json", serializeModel(model));
  },
);

/** Trains on every batch in order; a dynamic, because the batches are only known at run time. */
export const trainIterative = dynamic(async ({ batches }: { batches: Dir }) => {
  let state: Promise<File> | null = null;
  for (const batch of await batches.files()) {
    state = trainModel({ batchName: batch.name, state, batch });
  }
  if (!state) throw new Error(`${batches.name} holds no batch files`);
  return state;
});

/** Scores `model` on every transaction in `data`. */
export const evaluate = task(
  { retries: 1, cache: { version: "1" }, resources: { cpu: "1", memory: "1Gi" } },
  async ({ model, data }: { model: File; data: Dir }): Promise<Metrics> => {
    const fitted = parseModel(await model.text(), model.name);
    const scores: number[] = [];
    const labels: number[] = [];
    for (const file of await csvFiles(data)) {
      for (const row of await readTransactions(file)) {
        scores.push(predict(fitted, row));
        labels.push(row.label);
      }
    }
    const metrics = classificationMetrics(scores, labels);
    console.log(
      `evaluate: ${metrics.rows} transactions, AUC ${metrics.auc}, accuracy ${metrics.accuracy}, ` +
        `precision ${metrics.precision}, recall ${metrics.recall}`,
    );
    return metrics;
  },
);

export const trainingWorkflow = workflow(({ data }: { data: Dir }) => {
  const model = trainIterative({ batches: prepareBatches({ data }) });
  return { model, metrics: evaluate({ model, data }) };
});

async function csvFiles(dir: Dir): Promise<File[]> {
  const files = (await dir.files()).filter((file) => file.name.endsWith(".csv"));
  if (!files.length) throw new Error(`${dir.name} holds no .csv files`);
  return files;
}
