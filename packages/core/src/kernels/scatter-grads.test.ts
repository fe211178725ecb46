import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.js';
import { nearestSourceIndex } from './scatter-grads.js';
import { compareBackends, rand, relativeError, runOn } from './testing-fixtures/compare.js';

const TOL = 1e-4;

beforeAll(async () => {
  await initBackend('wasm');
});

/**
 * For a positively homogeneous f (a linear resize, a max pool) and any r,
 * ⟨x, ∇ₓ Σ f(x)·r⟩ = Σ f(x)·r. Returns both sides computed on `backend`.
 */
async function eulerSides(backend: 'cpu' | 'wasm', xShape: number[], f: (x: tf.Tensor) => tf.Tensor): Promise<[number, number]> {
  const outShape = tf.tidy(() => f(tf.zeros(xShape)).shape);
  const [lhs, rhs] = await runOn(backend, [rand(xShape, 1), rand(outShape, 2)], (x, r) => [
    f(x!).mul(r!).sum(),
    tf.grad((z: tf.Tensor) => f(z).mul(r!).sum())(x!).mul(x!).sum(),
  ]);
  return [lhs![0]!, rhs![0]!];
}

describe('ResizeNearestNeighborGrad on wasm', () => {
  const resizes: Array<[string, number[], (x: tf.Tensor) => tf.Tensor]> = [
    ['2× upsampling', [2, 4, 4, 3], (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [8, 8])],
    ['odd sizes, alignCorners', [2, 5, 5, 3], (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [9, 7], true)],
    ['odd sizes, halfPixelCenters', [2, 5, 5, 3], (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [9, 7], false, true)],
    ['shrinking', [2, 8, 8, 3], (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [3, 5])],
  ];
  it.each(resizes)('is the adjoint of the forward resize: %s', async (_, shape, f) => {
    const [lhs, rhs] = await eulerSides('wasm', shape, f);
    expect(Math.abs(lhs - rhs) / Math.abs(lhs)).toBeLessThan(TOL);
  });

  it('equals cpu on one example and one channel (where the cpu kernel is right)', async () => {
    const err = await compareBackends([rand([1, 6, 5, 1], 3)], (x) =>
      tf.grad((z: tf.Tensor) => tf.image.resizeNearestNeighbor(z as tf.Tensor4D, [12, 15]).square().sum())(x!),
    );
    expect(err).toBeLessThan(TOL);
  });

  it('samples like TensorFlow', () => {
    expect(Array.from(nearestSourceIndex(4, 2, false, false))).toEqual([0, 0, 1, 1]);
    expect(Array.from(nearestSourceIndex(5, 3, true, false))).toEqual([0, 1, 1, 2, 2]);
    expect(Array.from(nearestSourceIndex(3, 6, false, true))).toEqual([1, 3, 5]);
  });
});

describe('MaxPoolGrad on wasm', () => {
  const pools: Array<[string, number[], (x: tf.Tensor) => tf.Tensor]> = [
    ['3×3 stride 2 same', [2, 9, 9, 3], (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same')],
    ['2×2 stride 2 valid, odd input', [2, 9, 9, 3], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')],
    ['2×2 stride 2 same, even input', [3, 8, 8, 4], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'same')],
    ['3×2 stride 1 same', [1, 7, 6, 2], (x) => tf.maxPool(x as tf.Tensor4D, [3, 2], 1, 'same')],
  ];
  it.each(pools)('equals cpu: %s', async (_, shape, f) => {
    const err = await compareBackends([rand(shape, 4)], (x) => tf.grad((z: tf.Tensor) => f(z).square().sum())(x!));
    expect(err).toBeLessThan(TOL);
  });

  it('sends the gradient of a tied window (zeros after a ReLU) to its first element, like cpu', async () => {
    const f = (x: tf.Tensor) => tf.grad((z: tf.Tensor) => tf.maxPool(tf.relu(z) as tf.Tensor4D, 2, 2, 'valid').sum())(x);
    const negative = { shape: [1, 4, 4, 2], values: rand([1, 4, 4, 2], 5).values.map((v) => -Math.abs(v) - 0.1) };
    const [cpu] = await runOn('cpu', [negative], (x) => tf.maxPool(tf.relu(x!) as tf.Tensor4D, 2, 2, 'valid'));
    const [wasm] = await runOn('wasm', [negative], (x) => tf.maxPool(tf.relu(x!) as tf.Tensor4D, 2, 2, 'valid'));
    expect(relativeError(wasm!, cpu!)).toBe(0);
    const err = await compareBackends([negative], (x) => f(x!));
    expect(err).toBe(0);
  });
});
