/**
 * Anomaly-detection metrics. Scores: higher means more anomalous. Labels: 1 (or true) for an
 * anomaly (the positive class), 0 (false) for normal.
 */

type Labels = ArrayLike<number | boolean>;

function checkInputs(scores: ArrayLike<number>, labels: Labels, what: string): { pos: number; neg: number; y: Uint8Array } {
  if (scores.length !== labels.length) throw new Error(`${what}: ${scores.length} scores but ${labels.length} labels`);
  const y = new Uint8Array(labels.length);
  let pos = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!(l === 0 || l === 1 || l === true || l === false)) throw new Error(`${what}: label ${i} is ${String(l)}; expected 0/1 or a boolean`);
    if (!Number.isFinite(scores[i]!)) throw new Error(`${what}: score ${i} is ${scores[i]}; expected a finite number`);
    y[i] = l === 1 || l === true ? 1 : 0;
    pos += y[i]!;
  }
  return { pos, neg: labels.length - pos, y };
}

/** Indices sorted by score, descending. */
function byScoreDesc(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
}

/**
 * Area under the ROC curve: the probability that a random anomaly scores higher than a random
 * normal example, with ties counted as ½ (the Mann–Whitney statistic with mid-ranks).
 *
 * @example
 * ```ts
 * auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75
 * ```
 */
export function auroc(scores: ArrayLike<number>, labels: Labels): number {
  const { pos, neg } = checkInputs(scores, labels, 'auroc');
  if (pos === 0 || neg === 0) throw new Error(`auroc needs both classes, got ${pos} anomalies and ${neg} normal examples`);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  // Sum of the (mid-)ranks of the positives, ranks starting at 1.
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!]! === scores[order[i]!]!) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      const l = labels[order[k]!]!;
      if (l === 1 || l === true) rankSum += midRank;
    }
    i = j + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * Average precision: Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the distinct score thresholds, highest first (the
 * step-wise area under the precision–recall curve, as scikit-learn defines it; tied scores form one
 * threshold).
 *
 * @example
 * ```ts
 * averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.8333
 * ```
 */
export function averagePrecision(scores: ArrayLike<number>, labels: Labels): number {
  const { pos, y } = checkInputs(scores, labels, 'averagePrecision');
  if (pos === 0) throw new Error('averagePrecision needs at least one anomaly (label 1)');
  const order = byScoreDesc(scores);
  let tp = 0;
  let seen = 0;
  let prevRecall = 0;
  let ap = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!]! === scores[order[i]!]!) j++;
    for (let k = i; k <= j; k++) tp += y[order[k]!]!;
    seen = j + 1;
    const recall = tp / pos;
    ap += (recall - prevRecall) * (tp / seen);
    prevRecall = recall;
    i = j + 1;
  }
  return ap;
}

/**
 * Precision among the k highest-scoring examples (ties at the cut broken by input order).
 *
 * @example
 * ```ts
 * precisionAtK([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 2); // 0.5
 * ```
 */
export function precisionAtK(scores: ArrayLike<number>, labels: Labels, k: number): number {
  const { y } = checkInputs(scores, labels, 'precisionAtK');
  if (!Number.isInteger(k) || k < 1 || k > scores.length) throw new Error(`precisionAtK: k must be an integer in [1, ${scores.length}], got ${k}`);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  let hits = 0;
  for (let i = 0; i < k; i++) hits += y[order[i]!]!;
  return hits / k;
}

/** A decision threshold and its rates on the calibration data. */
export interface ThresholdResult {
  /** Flag an example as anomalous when its score is ≥ threshold (Infinity: flag nothing). */
  threshold: number;
  /** False-positive rate at that threshold. */
  fpr: number;
  /** True-positive rate (recall) at that threshold. */
  tpr: number;
}

/**
 * The lowest threshold (most anomalies caught) whose false-positive rate on the calibration data
 * stays at or below `targetFpr`. Scores ≥ threshold are flagged. Works with only normal examples
 * too (then tpr is NaN): calibrate on clean data, detect on new data.
 *
 * @example
 * ```ts
 * const { threshold, tpr } = thresholdAtFpr(scores, labels, 0.05); // at most 5% false alarms
 * ```
 */
export function thresholdAtFpr(scores: ArrayLike<number>, labels: Labels, targetFpr: number): ThresholdResult {
  const { pos, neg, y } = checkInputs(scores, labels, 'thresholdAtFpr');
  if (!(targetFpr >= 0 && targetFpr <= 1)) throw new Error(`thresholdAtFpr: targetFpr must be in [0, 1], got ${targetFpr}`);
  if (neg === 0) throw new Error('thresholdAtFpr needs normal examples (label 0) to measure false positives');
  const order = byScoreDesc(scores);
  let best: ThresholdResult = { threshold: Infinity, fpr: 0, tpr: pos > 0 ? 0 : NaN };
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!]! === scores[order[i]!]!) j++;
    for (let k = i; k <= j; k++) {
      if (y[order[k]!]) tp++;
      else fp++;
    }
    if (fp / neg > targetFpr) break;
    best = { threshold: scores[order[i]!]!, fpr: fp / neg, tpr: pos > 0 ? tp / pos : NaN };
    i = j + 1;
  }
  return best;
}
