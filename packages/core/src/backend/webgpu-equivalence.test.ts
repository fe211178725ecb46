/**
 * webgpu computes what cpu computes: forward passes, gradients and a training step, compared
 * element by element. Runs only with GENLOOM_TEST_WEBGPU=1 on a machine with a WebGPU adapter; on a
 * CPU-only Linux machine `tooling/install-webgpu-deps.sh` installs Mesa's llvmpipe Vulkan driver,
 * which Dawn accepts as a (software) adapter when webgpu is forced.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { initBackend, releaseBackend } from './index.js';
import type { BackendInfo } from './index.js';

const enabled = typeof process !== 'undefined' && process.env.GENLOOM_TEST_WEBGPU === '1';
const title = enabled
  ? 'webgpu equals cpu'
  : 'webgpu equals cpu (skipped: set GENLOOM_TEST_WEBGPU=1 on a machine with a WebGPU adapter; see tooling/install-webgpu-deps.sh)';
if (!enabled) console.info(`${title}.`);
const TOLERANCE = 1e-5;
/** Worst relative error per comparison, printed at the end for the CI log. */
const measured: string[] = [];

/** Deterministic inputs, identical on both backends. */
function normal(seed: number, size: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: size }, () => rng.normal() * scale);
}

type Computation = () => Promise<Float32Array[] | Int32Array[]>;

/** Runs `compute` on cpu and on webgpu and returns the worst error relative to the output's scale. */
async function worstError(compute: Computation, label: string): Promise<number[]> {
  await initBackend('cpu', { env: {} });
  const reference = await compute();
  await initBackend('webgpu', { env: {} });
  const gpu = await compute();
  const errors = reference.map((ref, i) => {
    const got = gpu[i]!;
    expect(got.length).toBe(ref.length);
    let scale = 1;
    for (const v of ref) scale = Math.max(scale, Math.abs(v));
    let worst = 0;
    for (let j = 0; j < ref.length; j++) worst = Math.max(worst, Math.abs(ref[j]! - got[j]!));
    return worst / scale;
  });
  measured.push(`${label}: ${Math.max(...errors).toExponential(1)}`);
  return errors;
}

async function read(...tensors: tf.Tensor[]): Promise<Float32Array[]> {
  const values = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(tensors);
  return values;
}

describe.skipIf(!enabled)(title, () => {
  let info: BackendInfo;
  const started = performance.now();

  beforeAll(async () => {
    info = await initBackend('webgpu', { env: {} });
  });

  afterAll(async () => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.info(`webgpu equivalence on ${info?.adapter?.description}: ${seconds} s; worst relative errors: ${measured.join(', ')}`);
    await releaseBackend();
  });

  it('runs on the adapter Dawn found', () => {
    expect(info.backend).toBe('webgpu');
    expect(info.tfjsBackend).toBe('webgpu');
    expect(info.adapter?.description).toBeTruthy();
  });

  it('matmul, plain and transposed, and its gradients', async () => {
    const a = normal(1, 48 * 80);
    const b = normal(2, 80 * 40);
    const errors = await worstError(() => {
      const [ta, tb] = [tf.tensor2d(a, [48, 80]), tf.tensor2d(b, [80, 40])];
      const y = tf.matMul(ta, tb);
      const yt = tf.matMul(tb, ta, true, true); // [40, 48]
      const [da, db] = tf.grads((x, w) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D).square().sum())([ta, tb]);
      return read(y, yt, da!, db!, ta, tb);
    }, 'matmul');
    for (const e of errors) expect(e).toBeLessThan(TOLERANCE);
  });

  it('conv2d and its input and filter gradients', async () => {
    const x = normal(3, 2 * 12 * 12 * 6);
    const w = normal(4, 3 * 3 * 6 * 8, 0.3);
    const errors = await worstError(() => {
      const [tx, tw] = [tf.tensor4d(x, [2, 12, 12, 6]), tf.tensor4d(w, [3, 3, 6, 8])];
      const y = tf.conv2d(tx, tw, [2, 2], 'same');
      const [dx, dw] = tf.grads((xi, wi) => tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 1, 'valid').relu().square().mean())([tx, tw]);
      const yt = tf.conv2dTranspose(y, tw, [2, 12, 12, 6], [2, 2], 'same');
      return read(y, dx!, dw!, yt, tx, tw);
    }, 'conv2d');
    for (const e of errors) expect(e).toBeLessThan(TOLERANCE);
  });

  it('embedding gradient (gather, whose gradient is an unsorted segment sum)', async () => {
    const table = normal(5, 50 * 16);
    const ids = Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 50); // repeats: sums into rows
    const errors = await worstError(() => {
      const tt = tf.tensor2d(table, [50, 16]);
      const ti = tf.tensor1d(ids, 'int32');
      const weights = tf.tensor2d(normal(6, 64 * 16), [64, 16]);
      const grad = tf.grad((t) => tf.gather(t, ti).mul(weights).sum())(tt);
      const out = read(grad, tt, weights);
      ti.dispose();
      return out;
    }, 'embedding');
    for (const e of errors) expect(e).toBeLessThan(TOLERANCE);
  });

  it('a small training step (conv + dense, Adam, 3 steps) ends with the same weights and losses', async () => {
    const x = normal(7, 8 * 8 * 8 * 3);
    const y = normal(8, 8 * 4);
    const init = { w1: normal(9, 3 * 3 * 3 * 8, 0.3), w2: normal(10, 8 * 4, 0.3), b2: new Float32Array(4) };
    const errors = await worstError(async () => {
      const w1 = tf.variable(tf.tensor4d(init.w1, [3, 3, 3, 8]));
      const w2 = tf.variable(tf.tensor2d(init.w2, [8, 4]));
      const b2 = tf.variable(tf.tensor1d(init.b2));
      const [tx, ty] = [tf.tensor4d(x, [8, 8, 8, 3]), tf.tensor2d(y, [8, 4])];
      const optimizer = tf.train.adam(0.01);
      const losses: number[] = [];
      for (let step = 0; step < 3; step++) {
        const loss = optimizer.minimize(() => {
          const h = tf.conv2d(tx, w1, 1, 'same').relu().mean([1, 2]); // [B, 8]
          return tf.losses.meanSquaredError(ty, h.matMul(w2).add(b2)) as tf.Scalar;
        }, true)!;
        losses.push((await loss.data())[0]!);
        loss.dispose();
      }
      const out = await read(w1, w2, b2);
      optimizer.dispose();
      tf.dispose([tx, ty]);
      return [...out, Float32Array.from(losses)];
    }, 'training step');
    for (const e of errors) expect(e).toBeLessThan(TOLERANCE);
  });

  it('leaves no tensors behind on webgpu', async () => {
    await initBackend('webgpu', { env: {} });
    const before = tf.memory().numTensors;
    const a = tf.tensor2d(normal(11, 16), [4, 4]);
    await read(tf.matMul(a, a), a);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a process forced onto webgpu ends by itself', () => {
    const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
    const fixture = fileURLToPath(new URL('./testing-fixtures/end-of-process.ts', import.meta.url));
    const r = spawnSync(process.execPath, [tsxCli, fixture], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, GENLOOM_BACKEND: 'webgpu' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}')).toMatchObject({ backend: 'webgpu', product: [7, 10, 15, 22] });
  });
});
