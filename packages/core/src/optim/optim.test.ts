import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.js';
import { clipByGlobalNorm } from './clip.js';
import { WeightEMA } from './ema.js';
import { createOptimizer } from './optimizer.js';
import { createSchedule, warmupCosine } from './schedule.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('optimizers', () => {
  it('AdamW matches a hand-computed PyTorch update (two steps, decay on matrices only)', async () => {
    const w = tf.variable(tf.tensor2d([[1, -2]]));
    const b = tf.variable(tf.tensor1d([0.5]));
    const opt = createOptimizer({ type: 'adamw', lr: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.5 });
    const gw = tf.tensor2d([[0.2, -0.4]]);
    const gb = tf.tensor1d([1]);
    opt.applyGradients([['w', w], ['b', b]], [gw, gb]);
    opt.applyGradients([['w', w], ['b', b]], [gw, gb]);
    // Reference (torch.optim.AdamW semantics) computed by hand in float64:
    const ref = (p: number, g: number, wd: number) => {
      let m = 0, v = 0;
      for (let t = 1; t <= 2; t++) {
        p *= 1 - 0.1 * wd;
        m = 0.9 * m + 0.1 * g;
        v = 0.99 * v + 0.01 * g * g;
        const denom = Math.sqrt(v) / Math.sqrt(1 - 0.99 ** t) + 1e-8;
        p -= (0.1 / (1 - 0.9 ** t)) * (m / denom);
      }
      return p;
    };
    const wv = await w.data();
    expect(wv[0]).toBeCloseTo(ref(1, 0.2, 0.5), 5);
    expect(wv[1]).toBeCloseTo(ref(-2, -0.4, 0.5), 5);
    expect((await b.data())[0]).toBeCloseTo(ref(0.5, 1, 0), 5); // vectors are not decayed
    opt.dispose();
  });

  it('SGD with momentum follows PyTorch’s buffer rule', async () => {
    const p = tf.variable(tf.scalar(1));
    const opt = createOptimizer({ type: 'sgd', lr: 0.1, momentum: 0.9 });
    for (let i = 0; i < 3; i++) opt.applyGradients([['p', p]], [tf.scalar(1)]);
    // buffers 1, 1.9, 2.71 → p = 1 - 0.1·(1 + 1.9 + 2.71)
    expect((await p.data())[0]).toBeCloseTo(1 - 0.561, 6);
  });

  it('state round-trips so a restored optimizer continues identically', async () => {
    const mk = () => tf.variable(tf.tensor1d([1, 2, 3]));
    const a = mk();
    const opt = createOptimizer({ type: 'adam', lr: 0.01 });
    const g = tf.tensor1d([0.1, -0.2, 0.3]);
    opt.applyGradients([['a', a]], [g]);
    const state = opt.getState();
    const b = tf.variable(a.clone());
    const opt2 = createOptimizer(state.config);
    opt2.setState(state);
    opt.applyGradients([['a', a]], [g]);
    opt2.applyGradients([['a', b]], [g]);
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
  });

  it('rejects bad configs with the field named', () => {
    expect(() => createOptimizer({ type: 'adam', lr: -1 })).toThrow(/lr must be/);
    expect(() => createOptimizer({ type: 'adam', lr: 1, beta2: 1.5 })).toThrow(/optimizer.beta2/);
    expect(() => createOptimizer({ type: 'rmsprop' as never, lr: 1 })).toThrow(/expected adamw, adam or sgd/);
  });
});

describe('schedules, clipping, EMA', () => {
  it('warm-up + cosine follows nanoGPT’s get_lr', () => {
    const lr = warmupCosine({ lr: 1e-3, warmupSteps: 100, decaySteps: 2000, minLr: 1e-4 });
    expect(lr(0)).toBeCloseTo(1e-3 / 101, 10);
    expect(lr(100)).toBeCloseTo(1e-3, 10);
    expect(lr(1050)).toBeCloseTo(5.5e-4, 8);
    expect(lr(2000)).toBeCloseTo(1e-4, 10);
    expect(lr(5000)).toBe(1e-4);
    expect(() => createSchedule({ type: 'warmup-cosine', lr: 1, warmupSteps: 10, decaySteps: 5, minLr: 0 })).toThrow(/warmupSteps <= decaySteps/);
  });

  it('clips to the global norm and reports the norm before clipping', async () => {
    const { grads, norm } = clipByGlobalNorm([tf.tensor1d([3, 0]), tf.tensor1d([0, 4])], 1);
    expect((await norm.data())[0]).toBeCloseTo(5, 5);
    expect(Array.from(await grads[0]!.data())[0]).toBeCloseTo(0.6, 5);
    const small = clipByGlobalNorm([tf.tensor1d([0.3, 0.4])], 1);
    expect(Array.from(await small.grads[0]!.data())[0]).toBeCloseTo(0.3, 5);
  });

  it('EMA averages weights and swaps them in and out', async () => {
    const v = tf.variable(tf.scalar(0));
    const ema = new WeightEMA([['v', v]], 0.5);
    v.assign(tf.scalar(4));
    ema.update(); // 0.5·0 + 0.5·4 = 2
    ema.swap();
    expect((await v.data())[0]).toBe(2);
    ema.swap();
    expect((await v.data())[0]).toBe(4);
    ema.dispose();
  });
});
