import * as tf from '@tensorflow/tfjs';

/**
 * Median wall time of `fn` in milliseconds over `reps` runs, after one warm-up run. `fn` must read
 * its result (`await t.data()`) so the time covers the work, not just its dispatch.
 *
 * @example
 * ```ts
 * const ms = await medianMs(async () => { const y = tf.matMul(a, b); await y.data(); y.dispose(); }, 5);
 * ```
 */
export async function medianMs(fn: () => Promise<void>, reps: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * GFLOP/s of one `[m×k]·[k×n]` matmul on the current backend (median of `reps`). Every suite
 * measures it in the same run as its own numbers, so speeds are reported as a ratio to it: absolute
 * times move with the load on a shared machine, the ratio much less.
 *
 * @example
 * ```ts
 * const rate = await matmulRate(1024, 1024, 1024); // ≈ 15–20 on a quiet machine with wasm SIMD
 * ```
 */
export async function matmulRate(m: number, k: number, n: number, reps = 5): Promise<number> {
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  const ms = await medianMs(async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }, reps);
  tf.dispose([a, b]);
  return (2 * m * k * n) / ms / 1e6;
}
