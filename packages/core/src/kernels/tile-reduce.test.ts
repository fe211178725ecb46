import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareBackends, rand, runOn } from './testing-fixtures/compare.js';

describe('Tile on wasm (heap copies) matches cpu', () => {
  const cases: Array<[number[], number[]]> = [
    [[5], [3]],
    [[3, 4], [2, 3]],
    [[1, 1, 6, 6], [4, 3, 1, 1]],
    [[2, 3, 5], [2, 1, 3]],
    [[2, 1, 3, 1, 2], [1, 4, 1, 2, 2]],
  ];
  it.each(cases)('float32 [%j] × %j', async (shape, reps) => {
    expect(await compareBackends([rand(shape, 1)], (x) => tf.tile(x!, reps))).toBe(0);
  });

  it('int32 and bool, and a broadcasting where (attention mask) with its gradient', async () => {
    const ints = { shape: [2, 3], values: Int32Array.from([1, -2, 3, 4, 5, -6]), dtype: 'int32' as const };
    const [cpuInts] = await runOn('cpu', [ints], (x) => tf.tile(x!, [3, 2]));
    const [wasmInts] = await runOn('wasm', [ints], (x) => tf.tile(x!, [3, 2]));
    expect(Array.from(wasmInts!)).toEqual(Array.from(cpuInts!));
    const masked = (scores: tf.Tensor) => {
      const mask = tf.linalg.bandPart(tf.ones([6, 6]), -1, 0).cast('bool'); // [T, T]
      return tf.where(mask, scores, tf.fill(scores.shape, -1e9)); // mask broadcast to [B, H, T, T]
    };
    const err = await compareBackends([rand([2, 3, 6, 6], 2)], (s) => [
      tf.softmax(masked(s!)),
      tf.grad((z: tf.Tensor) => tf.softmax(masked(z)).mul(tf.range(0, 36).reshape([6, 6])).sum())(s!),
    ]);
    expect(err).toBeLessThan(1e-4);
  });
});

describe('Sum and Mean over leading axes on wasm (ones · x) match cpu', () => {
  const cases: Array<[number[], number[], boolean]> = [
    [[12, 7], [0], false],
    [[4, 5, 6, 3], [0, 1, 2], false],
    [[4, 5, 6, 3], [0, 1], true],
    [[4, 5, 6], [1], false], // not leading: original kernel
    [[4, 5, 6], [0, 1, 2], false], // everything: original kernel
  ];
  it.each(cases)('x %j axes %j keepDims %s', async (shape, axes, keepDims) => {
    const err = await compareBackends([rand(shape, 3)], (x) => [
      x!.sum(axes, keepDims),
      x!.mean(axes, keepDims),
      tf.grad((z: tf.Tensor) => z.add(tf.ones(shape.slice(1))).square().sum())(x!),
    ]);
    expect(err).toBeLessThan(1e-5);
  });
});

describe('Slice on wasm (heap copies) matches cpu', () => {
  const cases: Array<[number[], number[], number[]]> = [
    [[32, 6, 4], [0, 5, 0], [32, 1, 4]],
    [[4, 6, 6, 3], [0, 1, 1, 0], [4, 4, 4, 3]],
    [[20, 12], [0, 4], [20, 4]],
    [[3, 4, 5, 6, 2], [1, 0, 2, 1, 1], [2, 4, 3, 5, 1]],
    [[9], [2], [5]],
  ];
  it.each(cases)('x %j begin %j size %j, and its gradient', async (shape, begin, size) => {
    const err = await compareBackends([rand(shape, 4)], (x) => [
      tf.slice(x!, begin, size),
      tf.grad((z: tf.Tensor) => tf.slice(z, begin, size).square().sum())(x!),
    ]);
    expect(err).toBe(0);
  });
});
