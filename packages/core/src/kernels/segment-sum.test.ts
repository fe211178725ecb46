import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareBackends, ints, rand, runOn } from './testing-fixtures/compare.js';

const TOL = 1e-4;

describe('UnsortedSegmentSum on wasm matches cpu', () => {
  it('duplicate ids, rows of several shapes', async () => {
    for (const rest of [[], [5], [3, 4]]) {
      const ids = [0, 3, 3, 1, 0, 0, 6];
      const err = await compareBackends([rand([ids.length, ...rest], 1), ints(ids)], (x, s) =>
        tf.unsortedSegmentSum(x!, s as tf.Tensor1D, 7),
      );
      expect(err, `rest [${rest}]`).toBeLessThan(TOL);
    }
  });

  it('int32 data', async () => {
    const idata = { shape: [5, 2], values: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), dtype: 'int32' as const };
    const [sum] = await runOn('wasm', [idata, ints([1, 1, 0, 2, 0])], (x, s) => tf.unsortedSegmentSum(x!, s as tf.Tensor1D, 3));
    expect(Array.from(sum!)).toEqual([5 + 9, 6 + 10, 1 + 3, 2 + 4, 7, 8]);
  });

  it('drops ids outside [0, numSegments) like cpu, without writing outside the output', async () => {
    const neighbour = { shape: [64], values: new Float32Array(64).fill(7) };
    const [sum, after] = await runOn('wasm', [rand([5, 3], 3), ints([0, -1, 9, 2, 3]), neighbour], (x, s, n) => [
      tf.unsortedSegmentSum(x!, s as tf.Tensor1D, 4),
      n!.add(0),
    ]);
    const [ref] = await runOn('cpu', [rand([5, 3], 3), ints([0, -1, 9, 2, 3])], (x, s) => tf.unsortedSegmentSum(x!, s as tf.Tensor1D, 4));
    expect(Array.from(sum!)).toEqual(Array.from(ref!));
    expect(after!.every((v) => v === 7)).toBe(true);
  });

  it('gradient of gather (embedding lookup) equals cpu', async () => {
    const ids = ints([3, 1, 3, 0, 7, 7, 7, 2, 5, 3, 1, 6], [3, 4]);
    const err = await compareBackends([rand([8, 6], 4), ids], (table, i) =>
      tf.grad((t: tf.Tensor) => tf.gather(t, i!).square().sum())(table!),
    );
    expect(err).toBeLessThan(TOL);
    const errAxis1 = await compareBackends([rand([4, 8, 3], 5), ints([7, 0, 7, 2])], (t3, i) =>
      tf.grad((t: tf.Tensor) => tf.gather(t, i!, 1).sum())(t3!),
    );
    expect(errAxis1).toBeLessThan(TOL);
  });

  it('gather with batchDims (the wasm kernel is wrong there) and its gradient equal cpu', async () => {
    const ids = ints([0, 4, 4, 1, 2, 2, 3, 0], [2, 4]);
    for (const [shape, axis] of [
      [[2, 5, 3], 1],
      [[2, 3, 5, 2], 2],
    ] as Array<[number[], number]>) {
      const err = await compareBackends([rand(shape, 6), ids], (x, i) => [
        tf.gather(x!, i!, axis, 1),
        tf.grad((t: tf.Tensor) => tf.gather(t, i!, axis, 1).square().sum())(x!),
      ]);
      expect(err, `x [${shape}] axis ${axis}`).toBe(0);
    }
  });
});
