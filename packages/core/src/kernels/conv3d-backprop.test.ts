import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareBackends, rand } from './testing-fixtures/compare.js';

describe('conv3d gradients on wasm (both wasm backprop kernels are wrong) match cpu', () => {
  const cases: Array<{ x: number[]; w: number[]; s: number | [number, number, number]; pad: 'same' | 'valid' }> = [
    { x: [1, 4, 4, 4, 2], w: [2, 2, 2, 2, 3], s: 1, pad: 'same' },
    { x: [2, 6, 6, 6, 2], w: [3, 3, 3, 2, 3], s: 2, pad: 'same' },
    { x: [1, 7, 6, 5, 3], w: [3, 2, 3, 3, 2], s: [2, 1, 2], pad: 'valid' },
  ];
  it.each(cases)('x $x w $w s $s $pad', async ({ x, w, s, pad }) => {
    const err = await compareBackends([rand(x, 1), rand(w, 2)], (a, b) =>
      tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.conv3d(p as tf.Tensor5D, q as tf.Tensor5D, s, pad).square().sum())([a!, b!]),
    );
    expect(err).toBeLessThan(1e-4);
  });
});
