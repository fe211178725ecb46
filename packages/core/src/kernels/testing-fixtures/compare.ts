import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../backend/index.js';

/**
 * Deterministic values in [-1, 1) (an LCG), so both backends see the same inputs.
 *
 * @example
 * ```ts
 * randomValues(4, 7);   // the same four numbers on every run
 * ```
 */
export function randomValues(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Plain input description: a shape, values, and a dtype (float32 unless said). */
export interface Input {
  shape: number[];
  values: Float32Array | Int32Array;
  dtype?: 'float32' | 'int32';
}

/**
 * A float32 {@link Input} of random values.
 *
 * @example
 * ```ts
 * await compareBackends([rand([2, 3], 1)], (x) => tf.relu(x!));
 * ```
 */
export function rand(shape: number[], seed = 1): Input {
  return { shape, values: randomValues(shape.reduce((p, d) => p * d, 1), seed) };
}

/**
 * An int32 {@link Input} (ids, indices).
 *
 * @example
 * ```ts
 * ints([0, 2, 2], [3]);
 * ```
 */
export function ints(values: number[], shape = [values.length]): Input {
  return { shape, values: Int32Array.from(values), dtype: 'int32' };
}

/**
 * Makes the inputs on `backend`, runs `f` in a tidy, reads every output, frees everything.
 *
 * @example
 * ```ts
 * const [y] = await runOn('wasm', [rand([4], 1)], (x) => x!.square());
 * ```
 */
export async function runOn(
  backend: 'cpu' | 'wasm',
  inputs: Input[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  if (backend === 'wasm') await initBackend('wasm');
  else await tf.setBackend('cpu');
  const xs = inputs.map((i) => tf.tensor(i.values, i.shape, i.dtype ?? 'float32'));
  const out = tf.tidy(() => f(...xs));
  const list = Array.isArray(out) ? out : [out];
  const values = await Promise.all(list.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(list);
  tf.dispose(xs);
  return values;
}

/**
 * max |a − b| / max |b|: the error relative to the reference's scale.
 *
 * @example
 * ```ts
 * relativeError(Float32Array.of(1, 2.0001), Float32Array.of(1, 2));   // 5e-5
 * ```
 */
export function relativeError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * Runs `f` on cpu and on wasm; returns the worst relative error over its outputs.
 *
 * @example
 * ```ts
 * expect(await compareBackends([rand([8, 8], 1)], (x) => tf.matMul(x!, x!, false, true))).toBeLessThan(1e-4);
 * ```
 */
export async function compareBackends(
  inputs: Input[],
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
): Promise<number> {
  const ref = await runOn('cpu', inputs, f);
  const got = await runOn('wasm', inputs, f);
  if (ref.length !== got.length) return Infinity;
  return Math.max(...got.map((g, i) => relativeError(g, ref[i]!)));
}

/**
 * `tf.engine().runKernel` with a typed result, for kernels that have no public op (backprops).
 *
 * @example
 * ```ts
 * runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape });
 * ```
 */
export function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): tf.Tensor {
  return tf.engine().runKernel(name, inputs as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
}
