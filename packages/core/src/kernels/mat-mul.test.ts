import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseOrientation, matMulTuning } from './index.js';
import { compareBackends, rand, runOn } from './testing-fixtures/compare.js';

const TOL = 1e-4;

describe.each(['auto', 'direct', 'swapped'] as const)('BatchMatMul routed onto XNNPACK (%s orientation) matches cpu', (orientation) => {
  const savedOrientation = matMulTuning.orientation;
  beforeAll(() => {
    matMulTuning.orientation = orientation;
  });
  afterAll(() => {
    matMulTuning.orientation = savedOrientation;
  });
  const shapes: Array<[number[], number[]]> = [
    [[17, 9], [9, 13]],
    [[64, 32], [32, 48]],
    [[3, 20, 16], [3, 16, 24]], // equal batches: split per matrix
    [[4, 20, 16], [16, 24]], // shared b: folded into one product
    [[20, 16], [5, 16, 24]], // shared a: split per matrix
    [[2, 3, 24, 8], [2, 3, 8, 24]], // attention-like rank 4
    [[2, 3, 4, 5], [2, 3, 5, 2]], // tiny matrices: stays on the batched loop
  ];
  for (const [aShape, bShape] of shapes) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const swap = (s: number[], t: boolean) => (t && s.length >= 2 ? [...s.slice(0, -2), s.at(-1)!, s.at(-2)!] : s);
      it(`[${aShape}]${ta ? 'ᵀ' : ''} · [${bShape}]${tb ? 'ᵀ' : ''}`, async () => {
        const err = await compareBackends([rand(swap(aShape, ta), 1), rand(swap(bShape, tb), 2)], (a, b) =>
          tf.matMul(a!, b!, ta, tb),
        );
        expect(err).toBeLessThan(TOL);
      });
    }
  }

  describe('with every batched product split', () => {
    const saved = matMulTuning.minMacsPerSplitMatrix;
    beforeAll(() => {
      matMulTuning.minMacsPerSplitMatrix = 0;
    });
    afterAll(() => {
      matMulTuning.minMacsPerSplitMatrix = saved;
    });
    it('tiny batched matrices', async () => {
      const err = await compareBackends([rand([6, 4, 5], 3), rand([6, 2, 5], 4)], (a, b) => tf.matMul(a!, b!, false, true));
      expect(err).toBeLessThan(TOL);
    });
  });

  it('picks the arrangement that moves fewer floats', () => {
    expect(chooseOrientation(32, 1024, 320, false, true)).toBe(orientation === 'auto' ? 'swapped' : orientation);
    expect(chooseOrientation(64, 32, 64, false, true)).toBe(orientation === 'auto' ? 'direct' : orientation);
    expect(chooseOrientation(64, 32, 64, false, false)).toBe('direct');
  });

  it('fused matMul with bias and activations, transposed and batched', async () => {
    for (const activation of ['linear', 'relu', 'elu', 'sigmoid', 'leakyrelu'] as const) {
      const err = await compareBackends([rand([3, 16, 12], 5), rand([3, 20, 16], 6), rand([20], 7)], (a, b, bias) =>
        tf.fused.matMul({ a: a!, b: b!, transposeA: true, transposeB: true, bias, activation, leakyreluAlpha: 0.2 }),
      );
      expect(err, activation).toBeLessThan(TOL);
    }
    const err2 = await compareBackends([rand([4, 8, 12], 8), rand([12, 10], 9), rand([10], 10)], (a, b, bias) =>
      tf.fused.matMul({ a: a!, b: b!, bias, activation: 'relu' }),
    );
    expect(err2).toBeLessThan(TOL);
  });

  it('gradients of dense and attention products', async () => {
    const err = await compareBackends([rand([2, 4, 10, 8], 11), rand([2, 4, 10, 8], 12), rand([2, 4, 10, 8], 13)], (q, k, v) =>
      tf.grads((q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => {
        const att = tf.softmax(tf.matMul(q, k, false, true).div(Math.sqrt(8))); // [2, 4, 10, 10]
        return tf.matMul(att, v).square().sum();
      })([q!, k!, v!]),
    );
    expect(err).toBeLessThan(TOL);
  });
});

describe('OneHot on wasm', () => {
  it('float32 output holds real numbers, including other on/off values', async () => {
    const idx = { shape: [4], values: Int32Array.from([0, 2, 1, 2]), dtype: 'int32' as const };
    const [plain, smooth, asInt] = await runOn('wasm', [idx], (i) => [
      tf.oneHot(i!, 3, 1, 0, 'float32'),
      tf.oneHot(i!, 3, 0.9, 0.05, 'float32'),
      tf.oneHot(i!, 3),
    ]);
    expect(Array.from(plain!)).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1]);
    expect(Array.from(smooth!).map((v) => Math.round(v * 100) / 100)).toEqual([
      0.9, 0.05, 0.05, 0.05, 0.05, 0.9, 0.05, 0.9, 0.05, 0.05, 0.05, 0.9,
    ]);
    expect(Array.from(asInt!)).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1]);
  });
});
