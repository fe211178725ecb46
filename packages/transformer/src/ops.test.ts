import { LayerNorm, initBackend } from '@genloom/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { causalMask, paddingMask } from './attention.js';
import { attend, batchMatMulTimeMajor, crossEntropy, embeddingLookup, gelu, layerNorm, matMul } from './ops.js';

beforeAll(async () => {
  await initBackend('wasm');
});

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const d = tf.max(tf.abs(tf.sub(a, b)));
  const v = (await d.data())[0]!;
  d.dispose();
  return v;
}

/** Gradients of sum(f(inputs) · w) for a fixed random w, so every output element matters. */
function gradsOf(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed = 3): tf.Tensor[] {
  return tf.tidy(() => {
    const w = tf.randomNormal(f(...inputs).shape, 0, 1, 'float32', seed);
    return tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), w)))(inputs);
  });
}

describe('fused ops match their autodiff references', () => {
  it('matMul', async () => {
    const a = tf.randomNormal([7, 5], 0, 1, 'float32', 1) as tf.Tensor2D;
    const b = tf.randomNormal([5, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
    const [ga, gb] = gradsOf((x, y) => matMul(x as tf.Tensor2D, y as tf.Tensor2D), [a, b]);
    const [ra, rb] = gradsOf((x, y) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), [a, b]);
    expect(await maxDiff(matMul(a, b), tf.matMul(a, b))).toBeLessThan(1e-6);
    expect(await maxDiff(ga!, ra!)).toBeLessThan(1e-5);
    expect(await maxDiff(gb!, rb!)).toBeLessThan(1e-5);
  });

  it('gelu equals the tanh form, value and gradient', async () => {
    const ref = (x: tf.Tensor) => tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));
    const x = tf.randomNormal([4, 9], 0, 2, 'float32', 4);
    expect(await maxDiff(gelu(x), ref(x))).toBeLessThan(1e-5);
    expect(Array.from(await gelu(tf.tensor1d([-1, 0, 1])).data()).map((v) => +v.toFixed(3))).toEqual([-0.159, 0, 0.841]);
    expect(await maxDiff(gradsOf(gelu, [x])[0]!, gradsOf(ref, [x])[0]!)).toBeLessThan(1e-4);
  });

  it('layerNorm matches core LayerNorm, with and without bias', async () => {
    for (const bias of [false, true]) {
      const ln = new LayerNorm({ dim: 6, bias });
      ln.gamma.assign(tf.randomNormal([6], 1, 0.3, 'float32', 5));
      ln.beta?.assign(tf.randomNormal([6], 0, 0.3, 'float32', 6));
      const x = tf.randomNormal([3, 4, 6], 0, 2, 'float32', 7);
      const params = bias ? [x, ln.gamma, ln.beta!] : [x, ln.gamma];
      const fused = (xx: tf.Tensor, g: tf.Tensor, b?: tf.Tensor) => layerNorm(xx, g, b ?? null, ln.eps);
      const reference = (xx: tf.Tensor, g: tf.Tensor, b?: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, -1, true);
        const y = tf.mul(tf.div(tf.sub(xx, mean), tf.sqrt(tf.add(variance, ln.eps))), g);
        return b ? tf.add(y, b) : y;
      };
      expect(await maxDiff(fused(x, ln.gamma, ln.beta ?? undefined), ln.forward(x))).toBeLessThan(1e-5);
      const g1 = gradsOf(fused as never, params);
      const g2 = gradsOf(reference as never, params);
      for (let i = 0; i < params.length; i++) expect(await maxDiff(g1[i]!, g2[i]!)).toBeLessThan(1e-4);
      ln.dispose();
    }
  });

  it('crossEntropy equals softmax cross-entropy, also for extreme logits', async () => {
    const logits = tf.randomNormal([10, 7], 0, 3, 'float32', 8);
    const targets = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 0, 1, 2], 'int32');
    const ref = (z: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(targets, 7).cast('float32'), z);
    expect(await maxDiff(crossEntropy(logits as tf.Tensor2D, targets), ref(logits))).toBeLessThan(1e-5);
    const g1 = tf.grad((z: tf.Tensor) => crossEntropy(z as tf.Tensor2D, targets))(logits);
    const g2 = tf.grad((z: tf.Tensor) => ref(z))(logits);
    expect(await maxDiff(g1, g2)).toBeLessThan(1e-6);
    // A target 200 nats below the best logit: exp underflows, the loss must not.
    const extreme = tf.tensor2d([[200, 0, -5]]);
    expect((await crossEntropy(extreme, tf.tensor1d([1], 'int32')).data())[0]).toBeCloseTo(200, 3);
  });

  it('embeddingLookup equals gather, and its gradient is a row sum', async () => {
    const table = tf.randomNormal([5, 3], 0, 1, 'float32', 9);
    const ids = tf.tensor2d([[0, 4, 4], [2, 0, 1]], undefined, 'int32');
    expect(await maxDiff(embeddingLookup(table, ids), tf.gather(table, ids))).toBeLessThan(1e-6);
    const g = tf.grad((t: tf.Tensor) => tf.sum(embeddingLookup(t, ids)))(table);
    expect(Array.from(await g.data())).toEqual([2, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 2, 2, 2]);
  });

  it('batchMatMulTimeMajor equals a batched matmul', async () => {
    const a = tf.randomNormal([4, 3, 5], 0, 1, 'float32', 10) as tf.Tensor3D; // [G, I, K]
    const b = tf.randomNormal([4, 5, 2], 0, 1, 'float32', 11) as tf.Tensor3D; // [G, K, J]
    const out = batchMatMulTimeMajor(tf.transpose(a, [1, 2, 0]) as tf.Tensor3D, tf.transpose(b, [1, 0, 2]) as tf.Tensor3D); // [I, G, J]
    expect(await maxDiff(tf.transpose(out, [1, 0, 2]), tf.matMul(a, b))).toBeLessThan(1e-5);
  });

  it('attend matches reference attention, with causal, padding and dropout masks', async () => {
    const [t, g, d] = [5, 6, 4];
    const q = tf.randomNormal([t, g, d], 0, 1, 'float32', 12);
    const k = tf.randomNormal([t, g, d], 0, 1, 'float32', 13);
    const v = tf.randomNormal([t, g, d], 0, 1, 'float32', 14);
    const keep = tf.div(tf.cast(tf.greater(tf.randomUniform([t, g, t], 0, 1, 'float32', 15), 0.3), 'float32'), 0.7);
    const pad = paddingMask(tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], undefined, 'int32'), 2); // B=3, H=2
    const reference = (mask: tf.Tensor | null, kp: tf.Tensor | null) => (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) => {
      const tq = tf.transpose(qq, [1, 0, 2]) as tf.Tensor3D; // [G, T, D]
      const tk = tf.transpose(kk, [1, 0, 2]) as tf.Tensor3D;
      const tv = tf.transpose(vv, [1, 0, 2]) as tf.Tensor3D;
      let s: tf.Tensor = tf.div(tf.matMul(tq, tk, false, true), Math.sqrt(d)); // [G, T, S]
      if (mask) s = tf.add(s, tf.transpose(mask, [1, 0, 2]));
      let p = tf.softmax(s);
      if (kp) p = tf.mul(p, tf.transpose(kp, [1, 0, 2]));
      return tf.transpose(tf.matMul(p as tf.Tensor3D, tv), [1, 0, 2]); // [T, G, D]
    };
    for (const [mask, kp] of [
      [causalMask(t, 0), null],
      [pad, null],
      [causalMask(t, 0), keep],
    ] as Array<[tf.Tensor | null, tf.Tensor | null]>) {
      const fused = (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) => attend(qq as tf.Tensor3D, kk as tf.Tensor3D, vv as tf.Tensor3D, mask, kp);
      expect(await maxDiff(fused(q, k, v), reference(mask, kp)(q, k, v))).toBeLessThan(1e-5);
      const g1 = gradsOf(fused, [q, k, v]);
      const g2 = gradsOf(reference(mask, kp), [q, k, v]);
      for (let i = 0; i < 3; i++) expect(await maxDiff(g1[i]!, g2[i]!)).toBeLessThan(1e-4);
    }
  });
});
