/**
 * Area under the ROC curve for the tests (vae does not depend on @genloom/eval): the probability
 * that a random anomaly (label 1) outscores a random normal example; no ties expected.
 */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  let pos = 0;
  idx.forEach((i, rank) => {
    if (labels[i] === 1) {
      rankSum += rank + 1;
      pos++;
    }
  });
  const neg = scores.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
