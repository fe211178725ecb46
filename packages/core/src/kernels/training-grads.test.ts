import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.js';
import { registerTrainingKernels, restoreBackendKernels, trainingKernelsFor } from './index.js';
import { compareBackends, ints, rand, type Input } from './testing-fixtures/compare.js';

const TOL = 1e-4;
type Net = (...xs: tf.Tensor[]) => tf.Scalar;

/** Gradients of `net` with respect to every input but the last `fixed` ones. */
function gradsOf(net: Net, fixed = 0) {
  return (...xs: tf.Tensor[]) => {
    const free = xs.slice(0, xs.length - fixed);
    const rest = xs.slice(xs.length - fixed);
    return tf.grads((...ys: tf.Tensor[]) => net(...ys, ...rest))(free);
  };
}

const layerNorm = (x: tf.Tensor) => {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).div(variance.add(1e-5).sqrt());
};

const nets: Array<{ name: string; inputs: Input[]; net: Net; fixed?: number }> = [
  {
    name: 'small conv net: conv s1 same → maxPool → conv s2 valid → avgPool → dense',
    inputs: [rand([2, 12, 12, 3], 1), rand([3, 3, 3, 6], 2), rand([3, 3, 6, 8], 3), rand([8, 4], 4)],
    net: (x, w1, w2, wd) => {
      let h = tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same'));
      h = tf.maxPool(h, 2, 2, 'same');
      h = tf.leakyRelu(tf.conv2d(h, w2 as tf.Tensor4D, 2, 'valid'), 0.2);
      h = tf.avgPool(h, 2, 1, 'valid');
      return tf.matMul(h.reshape([2, -1]), wd!).tanh().sum();
    },
  },
  {
    name: 'DCGAN-like generator: dense → conv2dTranspose s2 ×2 → 2× nearest upsampling → conv',
    inputs: [rand([2, 8], 5), rand([8, 4 * 4 * 8], 6), rand([4, 4, 6, 8], 7), rand([4, 4, 2, 6], 8), rand([3, 3, 2, 1], 9)],
    net: (z, wd, t1, t2, w) => {
      let h = tf.matMul(z!, wd!).reshape([2, 4, 4, 8]);
      h = tf.relu(tf.conv2dTranspose(h as tf.Tensor4D, t1 as tf.Tensor4D, [2, 8, 8, 6], 2, 'same'));
      h = tf.relu(tf.conv2dTranspose(h as tf.Tensor4D, t2 as tf.Tensor4D, [2, 16, 16, 2], 2, 'same'));
      // Nearest 2× upsampling by concat + reshape (tf.image.resizeNearestNeighbor's gradient is
      // checked in scatter-grads.test.ts by the adjoint identity: the cpu kernel is wrong here).
      h = tf.concat([h, h], 3).reshape([2, 16, 32, 2]);
      h = tf.concat([h, h], 2).reshape([2, 32, 32, 2]);
      return tf.conv2d(h as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').sigmoid().mean();
    },
  },
  {
    name: 'depthwise + pointwise (separable) conv with group-norm-like reshape',
    inputs: [rand([2, 8, 8, 4], 10), rand([3, 3, 4, 2], 11), rand([1, 1, 8, 6], 12), rand([2, 8, 8, 6], 19)],
    fixed: 1,
    net: (x, dw, pw, target) => {
      const h = tf.separableConv2d(x as tf.Tensor4D, dw as tf.Tensor4D, pw as tf.Tensor4D, 1, 'same'); // [2, 8, 8, 6]
      const g = h.reshape([2, 8, 8, 2, 3]); // groups of 3 channels
      const { mean, variance } = tf.moments(g, [1, 2, 4], true);
      const normed = g.sub(mean).div(variance.add(1e-5).sqrt()).reshape([2, 8, 8, 6]);
      // Σ normed² is constant (its gradient is round-off), so weigh it with a target.
      return normed.mul(target!).sum();
    },
  },
  {
    name: 'embedding → layer norm → causal attention → softmax cross-entropy',
    inputs: [rand([11, 8], 13), rand([8, 24], 14), rand([8, 11], 15), ints([1, 4, 4, 9, 0, 2, 10, 3], [2, 4])],
    fixed: 1,
    net: (emb, wqkv, wout, ids) => {
      const x = layerNorm(tf.gather(emb!, ids!)); // [2, 4, 8]
      const [q, k, v] = tf.split(tf.matMul(x.reshape([8, 8]), wqkv!).reshape([2, 4, 24]), 3, -1);
      const heads = (t: tf.Tensor) => t!.reshape([2, 4, 2, 4]).transpose([0, 2, 1, 3]); // [B, H, T, d]
      const mask = tf.linalg.bandPart(tf.ones([4, 4]), -1, 0);
      const scores = tf.matMul(heads(q!), heads(k!), false, true).div(2);
      const att = tf.softmax(tf.where(mask.cast('bool'), scores, tf.fill(scores.shape, -1e9)));
      const y = tf.matMul(att, heads(v!)).transpose([0, 2, 1, 3]).reshape([8, 8]);
      const logits = tf.matMul(y, wout!);
      const labels = tf.oneHot(ids!.reshape([8]), 11, 1, 0, 'float32');
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    },
  },
  {
    name: 'LSTM-style sigmoid/tanh chain, logSoftmax, cumsum, clipByValue',
    inputs: [rand([3, 6], 16), rand([6, 16], 17), rand([4, 4], 18)],
    net: (x, w, u) => {
      const gates = tf.matMul(x!, w!); // [3, 16]
      const [i, f, o, c] = tf.split(gates, 4, 1);
      const cell = tf.sigmoid(f!).mul(tf.tanh(c!)).add(tf.sigmoid(i!).mul(tf.tanh(c!)));
      const h = tf.sigmoid(o!).mul(tf.tanh(cell)); // [3, 4]
      const mixed = tf.matMul(h, u!);
      return tf.logSoftmax(tf.cumsum(mixed, 1)).add(tf.clipByValue(mixed, -0.3, 0.3)).sum();
    },
  },
];

describe('training gradients on wasm equal cpu', () => {
  it.each(nets)('$name', async ({ inputs, net, fixed }) => {
    const err = await compareBackends(inputs, gradsOf(net, fixed ?? 0));
    expect(err).toBeLessThan(TOL);
  });
});

describe('no leaks and idempotent registration', () => {
  it('tensors and backend buffers are flat across repeated gradient steps', async () => {
    await initBackend('wasm');
    const [x, w1, w2, wd] = nets[0]!.inputs.map((i) => tf.tensor(i.values, i.shape));
    const [z, wz, t1, t2, w] = nets[1]!.inputs.map((i) => tf.tensor(i.values, i.shape));
    const emb = tf.tensor(nets[3]!.inputs[0]!.values, [11, 8]);
    const ids = tf.tensor([1, 4, 4, 9, 0, 2, 10, 3], [2, 4], 'int32');
    const step = () => {
      const grads = [
        ...gradsOf(nets[0]!.net)(x!, w1!, w2!, wd!),
        ...gradsOf(nets[1]!.net)(z!, wz!, t1!, t2!, w!),
        tf.grad((e: tf.Tensor) => tf.gather(e, ids).sum())(emb),
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, true, true).sum())([wz!, z!]),
      ];
      tf.dispose(grads);
    };
    step();
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(buffers);
    tf.dispose([x!, w1!, w2!, wd!, z!, wz!, t1!, t2!, w!, emb, ids]);
  });

  it('the kernels themselves leave no buffers behind (tfjs DEBUG leak check)', async () => {
    await initBackend('wasm');
    tf.env().set('DEBUG', true); // the engine then checks every kernel for leaked buffers
    try {
      const outs = tf.tidy(() => {
        const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
        const k = tf.randomNormal([3, 3, 3, 2]) as tf.Tensor4D;
        const w = tf.randomNormal([5, 5, 3, 4]) as tf.Tensor4D;
        const v = tf.randomNormal([2, 2, 2, 3, 2]) as tf.Tensor5D;
        const ids = tf.tensor2d([[0, 3, 3], [1, 2, 0]], [2, 3], 'int32');
        const a = tf.randomNormal([2, 3, 16, 8]);
        const b = tf.randomNormal([2, 3, 8, 16]);
        return [
          ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.depthwiseConv2d(p as tf.Tensor4D, q as tf.Tensor4D, 2, 'same').sum())([x, k]),
          ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.conv2d(p as tf.Tensor4D, q as tf.Tensor4D, 2, 'same').sum())([x, w]),
          tf.grad((p: tf.Tensor) => tf.maxPool(p as tf.Tensor4D, 3, 2, 'same').sum())(x),
          tf.grad((p: tf.Tensor) => tf.image.resizeNearestNeighbor(p as tf.Tensor4D, [16, 16]).sum())(x),
          tf.grad((p: tf.Tensor) => tf.gather(p, ids, 1, 1).sum())(x.reshape([2, 64, 3])),
          tf.grad((p: tf.Tensor) => tf.conv3d(p.reshape([1, 4, 4, 8, 3]) as tf.Tensor5D, v, 2, 'same').sum())(x),
          ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, true, true).sum())([a, b]),
          tf.oneHot(tf.tensor1d([1, 0], 'int32'), 3, 0.9, 0.05, 'float32'),
          tf.tile(x, [1, 2, 1, 1]).slice([0, 1, 1, 0], [2, 4, 4, 3]).sum([0, 1, 2]),
          tf.unsortedSegmentSum(x.reshape([32, 12]), tf.tensor1d(Array.from({ length: 32 }, (_, i) => (i % 11) - 1), 'int32'), 6),
        ];
      });
      expect(outs.length).toBe(13);
      tf.dispose(outs);
    } finally {
      tf.env().set('DEBUG', false);
    }
  });

  it('registering twice returns the same names; restoring gives the plain backend back', async () => {
    const info = await initBackend('wasm');
    expect(info.addedKernels).toEqual(
      expect.arrayContaining(['Conv2DBackpropFilter', 'UnsortedSegmentSum', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']),
    );
    expect(registerTrainingKernels('wasm')).toEqual(info.addedKernels);
    expect(registerTrainingKernels('cpu')).toEqual([]);
    expect(restoreBackendKernels('wasm')).toEqual(info.addedKernels);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(registerTrainingKernels('wasm')).toEqual(info.addedKernels);
    expect(trainingKernelsFor('wasm')).toEqual(info.addedKernels);
  });
});
