/**
 * A small logistic regression in plain TypeScript, trained batch by batch:
 * the model is plain JSON, so one training step can hand it to the next as a
 * file. Every step is deterministic (no randomness, fixed iteration order),
 * so the same batches always give the same model bytes.
 */
import type { Transaction } from "./transactions.ts";

export const FEATURES = ["logAmount", "night", "merchantRisk", "logDistance", "foreign", "cardPresent"] as const;

/** Fraud clusters at night and grows with amount and distance roughly logarithmically. */
export function featuresOf(t: Transaction): number[] {
  return [
    Math.log1p(t.amount),
    t.hour < 6 ? 1 : 0,
    t.merchantRisk,
    Math.log1p(t.distanceFromHome),
    t.foreign,
    t.cardPresent,
  ];
}

export type FraudModel = {
  kind: "fraud-logistic-regression";
  features: string[];
  /**
   * Standardisation fitted on the first batch. Later batches reuse it, so the
   * weights learned so far keep their meaning.
   */
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
  /** The batches trained on, in order. */
  history: { batch: string; rows: number; lossBefore: number; lossAfter: number }[];
};

export type TrainingSettings = {
  epochs: number;
  /** Rows per gradient step. */
  stepRows: number;
  learningRate: number;
  /** L2 penalty on the weights (not the bias). */
  l2: number;
};

/** An untrained model whose scaler fits `rows` and whose bias predicts their fraud rate. */
export function initialModel(rows: readonly Transaction[]): FraudModel {
  const vectors = rows.map(featuresOf);
  const mean = FEATURES.map((_, j) => average(vectors.map((v) => v[j]!)));
  const scale = FEATURES.map((_, j) => {
    const deviation = Math.sqrt(average(vectors.map((v) => (v[j]! - mean[j]!) ** 2)));
    return deviation > 1e-9 ? deviation : 1;
  });
  const rate = clamp(average(rows.map((r) => r.label)), 0.01, 0.99);
  return {
    kind: "fraud-logistic-regression",
    features: [...FEATURES],
    mean,
    scale,
    weights: FEATURES.map(() => 0),
    bias: Math.log(rate / (1 - rate)),
    history: [],
  };
}

/** Probability of fraud. */
export function predict(model: FraudModel, t: Transaction): number {
  return sigmoid(model.bias + dot(model.weights, standardise(model, featuresOf(t))));
}

/** Mean log-loss of `model` on `rows`. */
export function logLoss(model: FraudModel, rows: readonly Transaction[]): number {
  const eps = 1e-12;
  return average(rows.map((r) => {
    const p = clamp(predict(model, r), eps, 1 - eps);
    return -(r.label * Math.log(p) + (1 - r.label) * Math.log(1 - p));
  }));
}

/** Mini-batch gradient descent on `rows`, starting from `model`; returns a new model. */
export function trainOnBatch(model: FraudModel, batch: string, rows: readonly Transaction[], settings: TrainingSettings): FraudModel {
  const lossBefore = logLoss(model, rows);
  const xs = rows.map((r) => standardise(model, featuresOf(r)));
  const weights = [...model.weights];
  let bias = model.bias;
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    for (let start = 0; start < rows.length; start += settings.stepRows) {
      const end = Math.min(start + settings.stepRows, rows.length);
      const gradient = weights.map(() => 0);
      let biasGradient = 0;
      for (let i = start; i < end; i++) {
        const x = xs[i]!;
        const error = sigmoid(bias + dot(weights, x)) - rows[i]!.label;
        x.forEach((value, j) => (gradient[j]! += error * value));
        biasGradient += error;
      }
      const n = end - start;
      weights.forEach((w, j) => (weights[j] = w - settings.learningRate * (gradient[j]! / n + settings.l2 * w)));
      bias -= settings.learningRate * (biasGradient / n);
    }
  }
  const trained = { ...model, weights, bias };
  const entry = { batch, rows: rows.length, lossBefore: round(lossBefore), lossAfter: round(logLoss(trained, rows)) };
  return { ...trained, history: [...model.history, entry] };
}

/** Reads a model file's JSON, failing clearly when it is not one of ours. */
export function parseModel(text: string, source: string): FraudModel {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`);
  }
  const model = value as Partial<FraudModel> | null;
  if (model?.kind !== "fraud-logistic-regression" || model.weights?.length !== FEATURES.length) {
    throw new Error(`${source} is not a fraud model (expected "kind": "fraud-logistic-regression" with ${FEATURES.length} weights)`);
  }
  return model as FraudModel;
}

export function serializeModel(model: FraudModel): string {
  return `${JSON.stringify(model, null, 2)}\n`;
}

function standardise(model: FraudModel, x: number[]): number[] {
  return x.map((value, j) => (value - model.mean[j]!) / model.scale[j]!);
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function average(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length ? sum / values.length : 0;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
