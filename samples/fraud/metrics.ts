/**
 * Binary classification metrics for predicted fraud probabilities.
 */

export type Metrics = {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** Area under the ROC curve: the chance a fraud scores above a legitimate one. */
  auc: number;
  rows: number;
};

/** Metrics at `threshold`, rounded to 4 decimals so they read well in logs and outputs. */
export function classificationMetrics(scores: readonly number[], labels: readonly number[], threshold = 0.5): Metrics {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  let correct = 0;
  scores.forEach((score, i) => {
    const predicted = score >= threshold ? 1 : 0;
    const actual = labels[i];
    if (predicted === actual) correct++;
    if (predicted === 1 && actual === 1) truePositives++;
    if (predicted === 1 && actual === 0) falsePositives++;
    if (predicted === 0 && actual === 1) falseNegatives++;
  });
  const precision = ratio(truePositives, truePositives + falsePositives);
  const recall = ratio(truePositives, truePositives + falseNegatives);
  return {
    accuracy: round(ratio(correct, scores.length)),
    precision: round(precision),
    recall: round(recall),
    f1: round(ratio(2 * precision * recall, precision + recall)),
    auc: round(rocAuc(scores, labels)),
    rows: scores.length,
  };
}

/** ROC AUC by ranks (Mann-Whitney U); tied scores share their average rank. */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]! || a - b);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        positiveRankSum += rank;
      }
    }
    start = end + 1;
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) return 0.5;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
