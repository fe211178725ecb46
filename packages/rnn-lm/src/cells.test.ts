import { initBackend } from '@genloom/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gruCell, gruSequence, lstmCell, lstmSequence } from './cells.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const t2 = (rows: number[][]) => tf.tensor2d(rows);

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.max(tf.abs(tf.sub(a, b)));
  const v = (await d.data())[0]!;
  d.dispose();
  return v;
}

describe('lstmCell', () => {
  it('matches a step computed by hand (H = 1)', async () => {
    // z = xp + h0·W = [0.5, -0.5, 0.2, 1.0] + 0.1·[0.1, 0.2, 0.3, 0.4] = [0.51, -0.48, 0.23, 1.04]
    // i = σ(0.51) = 0.624806, f = σ(-0.48) = 0.382252, g = tanh(0.23) = 0.226028, o = σ(1.04) = 0.738850
    // c = f·0.3 + i·g = 0.255900, h = o·tanh(c) = 0.185050
    const out = lstmCell(t2([[0.5, -0.5, 0.2, 1.0]]), t2([[0.1]]), t2([[0.3]]), t2([[0.1, 0.2, 0.3, 0.4]]));
    expect((await out.c.data())[0]).toBeCloseTo(0.2558996, 6);
    expect((await out.h.data())[0]).toBeCloseTo(0.1850497, 6);
    expect((await out.g.data())[0]).toBeCloseTo(0.2260284, 6);
  });
});

describe('gruCell', () => {
  it('matches a step computed by hand (H = 1)', async () => {
    // h·W + b = [0.06, 0.02, -0.07]; r = σ(0.56) = 0.636453, u = σ(-0.48) = 0.382252
    // n = tanh(0.2 + r·(-0.07)) = 0.154208, h' = (1 - u)·n + u·0.1 = 0.133487
    const out = gruCell(t2([[0.5, -0.5, 0.2]]), t2([[0.1]]), t2([[0.1, 0.2, 0.3]]), tf.tensor1d([0.05, 0, -0.1]));
    expect((await out.h.data())[0]).toBeCloseTo(0.1334870, 6);
  });
});

describe('sequence ops with a hand-written backward pass', () => {
  const T = 5;
  const B = 3;
  const H = 4;
  const rnd = (shape: number[], seed: number, scale = 1) => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), scale);

  it('lstmSequence: outputs and all four gradients equal autodiff through lstmCell', async () => {
    const [xp, h0, c0, w] = [rnd([T, B, 4 * H], 1), rnd([B, H], 2, 0.5), rnd([B, H], 3, 0.5), rnd([H, 4 * H], 4, 0.5)] as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const weights = rnd([T + 1, B, H], 5); // a loss that weighs every output, the final c included
    const reference = (x: tf.Tensor3D, h: tf.Tensor2D, c: tf.Tensor2D, wHh: tf.Tensor2D) => {
      const hs: tf.Tensor2D[] = [];
      for (const xt of tf.unstack(x) as tf.Tensor2D[]) {
        ({ h, c } = lstmCell(xt, h, c, wHh));
        hs.push(h);
      }
      return tf.concat([tf.stack(hs), tf.expandDims(c, 0)], 0);
    };
    const loss = (f: typeof reference) => (x: tf.Tensor, h: tf.Tensor, c: tf.Tensor, wHh: tf.Tensor) =>
      tf.sum(tf.mul(f(x as tf.Tensor3D, h as tf.Tensor2D, c as tf.Tensor2D, wHh as tf.Tensor2D), weights));
    expect(await maxDiff(lstmSequence(xp, h0, c0, w), reference(xp, h0, c0, w))).toBeLessThan(1e-6);
    const got = tf.grads(loss(lstmSequence))([xp, h0, c0, w]);
    const want = tf.grads(loss(reference))([xp, h0, c0, w]);
    for (let k = 0; k < 4; k++) {
      expect(got[k]!.shape).toEqual(want[k]!.shape);
      expect(await maxDiff(got[k]!, want[k]!)).toBeLessThan(1e-5);
    }
  });

  it('gruSequence: outputs and all four gradients equal autodiff through gruCell', async () => {
    const [xp, h0, w, b] = [rnd([T, B, 3 * H], 6), rnd([B, H], 7, 0.5), rnd([H, 3 * H], 8, 0.5), rnd([3 * H], 9, 0.5)] as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const weights = rnd([T, B, H], 10);
    const reference = (x: tf.Tensor3D, h: tf.Tensor2D, wHh: tf.Tensor2D, bHh: tf.Tensor1D) => {
      const hs: tf.Tensor2D[] = [];
      for (const xt of tf.unstack(x) as tf.Tensor2D[]) {
        h = gruCell(xt, h, wHh, bHh).h;
        hs.push(h);
      }
      return tf.stack(hs);
    };
    const loss = (f: typeof reference) => (x: tf.Tensor, h: tf.Tensor, wHh: tf.Tensor, bHh: tf.Tensor) =>
      tf.sum(tf.mul(f(x as tf.Tensor3D, h as tf.Tensor2D, wHh as tf.Tensor2D, bHh as tf.Tensor1D), weights));
    expect(await maxDiff(gruSequence(xp, h0, w, b), reference(xp, h0, w, b))).toBeLessThan(1e-6);
    const got = tf.grads(loss(gruSequence))([xp, h0, w, b]);
    const want = tf.grads(loss(reference))([xp, h0, w, b]);
    for (let k = 0; k < 4; k++) {
      expect(got[k]!.shape).toEqual(want[k]!.shape);
      expect(await maxDiff(got[k]!, want[k]!)).toBeLessThan(1e-5);
    }
  });

  it('frees every intermediate tensor of a gradient computation', () => {
    const [xp, h0, c0, w] = [rnd([T, B, 4 * H], 1), rnd([B, H], 2), rnd([B, H], 3), rnd([H, 4 * H], 4)] as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const run = () => tf.dispose(tf.grads((x: tf.Tensor, wHh: tf.Tensor) => tf.sum(lstmSequence(x as tf.Tensor3D, h0, c0, wHh as tf.Tensor2D)))([xp, w]));
    run();
    const before = tf.memory().numTensors;
    run();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the expected shapes when given the wrong ones', () => {
    expect(() => lstmSequence(tf.zeros([2, 3, 5]) as tf.Tensor3D, tf.zeros([3, 4]) as tf.Tensor2D, tf.zeros([3, 4]) as tf.Tensor2D, tf.zeros([4, 16]) as tf.Tensor2D)).toThrow(/expected xp of shape \[T >= 1, 3, 16\]/);
  });
});
