/**
 * Helpers on one next-token distribution's logits, a Float32Array read from the model with
 * `await logits.data()`. Sums run in float64; results are Float32Array like their input.
 */

/**
 * Throws unless every logit is a number below +Infinity and at least one is finite. -Infinity is
 * allowed: it is how a token is masked out.
 *
 * @example
 * ```ts
 * checkLogits(new Float32Array([0.1, -Infinity, 2]), 'sampleToken'); // fine
 * checkLogits(new Float32Array([0.1, NaN]), 'sampleToken');          // throws: logit 1 is NaN
 * ```
 */
export function checkLogits(logits: ArrayLike<number>, where: string): void {
  if (logits.length === 0) throw new Error(`${where}: logits are empty; expected one logit per vocabulary entry`);
  let finite = false;
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i]!;
    if (Number.isNaN(x)) throw new Error(`${where}: logit ${i} is NaN (of ${logits.length}); the model produced invalid outputs (diverged training or a bad weight load)`);
    if (x === Infinity) throw new Error(`${where}: logit ${i} is +Infinity (of ${logits.length}); logits must be finite or -Infinity`);
    if (x !== -Infinity) finite = true;
  }
  if (!finite) throw new Error(`${where}: all ${logits.length} logits are -Infinity; no token can be chosen`);
}

/**
 * Index of the largest logit (the first one on ties).
 *
 * @example
 * ```ts
 * argmax(new Float32Array([0.5, 3, 3, -1])); // 1
 * ```
 */
export function argmax(logits: ArrayLike<number>): number {
  checkLogits(logits, 'argmax');
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}

function maxOf(logits: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > m) m = logits[i]!;
  return m;
}

/**
 * Probabilities from logits, computed stably (the largest logit is subtracted first); -Infinity
 * logits get probability 0.
 *
 * @example
 * ```ts
 * softmax(new Float32Array([0, Math.log(3)])); // Float32Array [0.25, 0.75]
 * ```
 */
export function softmax(logits: ArrayLike<number>): Float32Array {
  checkLogits(logits, 'softmax');
  const m = maxOf(logits);
  const e = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += e[i] = Math.exp(logits[i]! - m);
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = e[i]! / sum;
  return out;
}

/**
 * Log-probabilities from logits (`x - logsumexp(x)`), stable for large logits; -Infinity stays
 * -Infinity.
 *
 * @example
 * ```ts
 * logSoftmax(new Float32Array([1000, 1000])); // Float32Array [-0.693…, -0.693…]
 * ```
 */
export function logSoftmax(logits: ArrayLike<number>): Float32Array {
  checkLogits(logits, 'logSoftmax');
  const m = maxOf(logits);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - m);
  const lse = m + Math.log(sum);
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! - lse;
  return out;
}
