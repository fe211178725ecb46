import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.js';
import { Rng } from '../rng.js';
import { MultiHeadAttention } from './attention.js';
import { Conv2d, ConvTranspose2d } from './conv.js';
import { Dense } from './dense.js';
import { Embedding } from './embedding.js';
import { BatchNorm, GroupNorm, LayerNorm } from './norm.js';
import { ResBlock } from './residual.js';
import { gelu } from './activations.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const close = async (a: tf.Tensor, b: tf.Tensor | number[], tol = 1e-5) => {
  const x = await a.data();
  const y = Array.isArray(b) ? b : Array.from(await b.data());
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(y[i]!)));
};

describe('layers', () => {
  it('Dense computes x·W + b on any rank and names its weights', async () => {
    const fc = new Dense({ inputDim: 2, units: 3, rng: new Rng(0) });
    fc.setWeights({ kernel: tf.tensor2d([[1, 2, 3], [4, 5, 6]]), bias: tf.tensor1d([0.5, 0, -0.5]) });
    await close(fc.forward(tf.tensor3d([[[1, 1]], [[2, 0]]])), [5.5, 7, 8.5, 2.5, 4, 5.5]);
    expect(fc.namedParameters().map(([n]) => n)).toEqual(['kernel', 'bias']);
    expect(() => fc.forward(tf.ones([2, 5]))).toThrow(/expected last dimension 2/);
    fc.dispose();
  });

  it('setWeights rejects missing, extra and mis-shaped weights by name', () => {
    const fc = new Dense({ inputDim: 2, units: 3, rng: new Rng(0) });
    expect(() => fc.setWeights({ kernel: tf.zeros([2, 3]) })).toThrow(/Missing weights: bias/);
    expect(() => fc.setWeights({ kernel: tf.zeros([2, 3]), bias: tf.zeros([3]), other: tf.zeros([1]) })).toThrow(/Unexpected weights: other/);
    expect(() => fc.setWeights({ kernel: tf.zeros([3, 3]), bias: tf.zeros([3]) })).toThrow(/"kernel" has shape \[3,3\] but the model expects \[2,3\]/);
    fc.dispose();
  });

  it('the same seed builds the same weights', async () => {
    const a = new Dense({ inputDim: 4, units: 4, rng: new Rng(3) });
    const b = new Dense({ inputDim: 4, units: 4, rng: new Rng(3) });
    await close(a.kernel, b.kernel, 0);
    a.dispose();
    b.dispose();
  });

  it('conv layers give the expected shapes; transposed conv inverts the stride', () => {
    const rng = new Rng(1);
    const down = new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, stride: 2, rng });
    const up = new ConvTranspose2d({ inChannels: 4, outChannels: 2, kernelSize: 4, stride: 2, rng });
    const y = down.forward(tf.zeros([2, 28, 28, 1]));
    expect(y.shape).toEqual([2, 14, 14, 4]);
    expect(up.forward(y).shape).toEqual([2, 28, 28, 2]);
    expect(() => down.forward(tf.zeros([1, 8, 8, 3]))).toThrow(/expected 1 input channels/);
  });

  it('LayerNorm and GroupNorm normalise to zero mean and unit variance', async () => {
    const x = tf.randomNormal([4, 16], 3, 2, 'float32', 1);
    const y = new LayerNorm({ dim: 16 }).forward(x);
    const { mean, variance } = tf.moments(y, -1);
    await close(mean, [0, 0, 0, 0], 1e-4);
    await close(variance, [1, 1, 1, 1], 1e-3);
    const img = tf.randomNormal([2, 4, 4, 8], -1, 3, 'float32', 2);
    const g = new GroupNorm({ channels: 8, groups: 2 }).forward(img as tf.Tensor4D).reshape([2, 16, 2, 4]);
    const m = tf.moments(g, [1, 3]);
    await close(m.mean, new Array(4).fill(0), 1e-4);
    expect(() => new GroupNorm({ channels: 6, groups: 4 })).toThrow(/divisible/);
  });

  it('BatchNorm uses batch statistics in training and running ones after commit', async () => {
    const bn = new BatchNorm({ channels: 2, momentum: 1 });
    const x = tf.tensor2d([[1, 10], [3, 30]]);
    await close(bn.forward(x, true), [-1, -1, 1, 1], 1e-3);
    bn.commitRunningStats();
    await close(bn.runningMean, [2, 20]);
    await close(bn.forward(x, false), [-1, -1, 1, 1], 1e-3);
    bn.dispose();
  });

  it('Embedding looks rows up and gelu matches its reference values', async () => {
    const emb = new Embedding({ numEmbeddings: 5, dim: 2, rng: new Rng(0) });
    emb.setWeights({ table: tf.tensor2d([[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]]) });
    await close(emb.forward(tf.tensor2d([[4, 1]], undefined, 'int32')), [4, 4, 1, 1]);
    expect(() => emb.forward(tf.tensor1d([1]))).toThrow(/int32/);
    await close(gelu(tf.tensor1d([-1, 0, 1])), [-0.158808, 0, 0.841192], 1e-4);
  });

  it('causal attention lets no position see the future, and the KV cache matches a full pass', async () => {
    const rng = new Rng(4);
    const attn = new MultiHeadAttention({ dModel: 8, numHeads: 2, rng });
    const x = tf.randomNormal([1, 5, 8], 0, 1, 'float32', 5);
    const full = attn.forward(x as tf.Tensor3D, { causal: true, returnWeights: true });
    // weights above the diagonal are zero
    const w = (await full.weights!.array()) as number[][][][];
    for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) expect(w[0]![0]![i]![j]).toBeLessThan(1e-6);
    // changing the last token does not change earlier outputs
    const x2 = tf.concat([x.slice([0, 0, 0], [1, 4, 8]), tf.ones([1, 1, 8])], 1);
    const out2 = attn.forward(x2 as tf.Tensor3D, { causal: true }).output;
    await close(out2.slice([0, 0, 0], [1, 4, 8]), full.output.slice([0, 0, 0], [1, 4, 8]), 1e-5);
    // incremental decoding with the cache
    const first = attn.forward(x.slice([0, 0, 0], [1, 4, 8]) as tf.Tensor3D, { causal: true });
    const next = attn.forward(x.slice([0, 4, 0], [1, 1, 8]) as tf.Tensor3D, { causal: true, past: first.cache! });
    await close(next.output, full.output.slice([0, 4, 0], [1, 1, 8]), 1e-5);
    expect(next.cache!.k.shape).toEqual([1, 2, 5, 4]);
  });

  it('cross-attention ignores padded keys', async () => {
    const attn = new MultiHeadAttention({ dModel: 4, numHeads: 1, cross: true, rng: new Rng(2) });
    const q = tf.randomNormal([1, 2, 4], 0, 1, 'float32', 1) as tf.Tensor3D;
    const ctxA = tf.randomNormal([1, 3, 4], 0, 1, 'float32', 2) as tf.Tensor3D;
    const ctxB = tf.concat([ctxA.slice([0, 0, 0], [1, 2, 4]), tf.fill([1, 1, 4], 9)], 1) as tf.Tensor3D;
    const mask = tf.tensor2d([[1, 1, 0]]);
    const a = attn.forward(q, { context: ctxA, keyPaddingMask: mask }).output;
    const b = attn.forward(q, { context: ctxB, keyPaddingMask: mask }).output;
    await close(a, b, 1e-5);
  });

  it('ResBlock maps channels and takes a conditioning embedding', () => {
    const block = new ResBlock({ inChannels: 8, outChannels: 16, embDim: 12, rng: new Rng(0), groups: 4 });
    const y = block.forward(tf.zeros([2, 4, 4, 8]), tf.ones([2, 12]) as tf.Tensor2D);
    expect(y.shape).toEqual([2, 4, 4, 16]);
  });

  it('layers leak no tensors', () => {
    const rng = new Rng(0);
    const attn = new MultiHeadAttention({ dModel: 8, numHeads: 2, rng });
    const x = tf.ones([1, 3, 8]) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const r = attn.forward(x, { causal: true, returnWeights: true });
      tf.dispose([r.output, r.weights!, r.cache!.k, r.cache!.v]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
