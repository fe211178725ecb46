/**
 * The threaded wasm build in Node: the failure without genloom's workaround (kept as a test so a
 * tfjs upgrade that fixes it is noticed), the opt-in with the workaround, and process exit.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, releaseBackend } from './index.js';

const coreDir = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./testing-fixtures/end-of-process.ts', import.meta.url));

/** Runs the fixture in a fresh Node with tsx; resolves tsx from the workspace root. */
function runFixture(env: Record<string, string>, args: string[] = []) {
  const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
  const { GENLOOM_BACKEND: _b, GENLOOM_WASM_THREADS: _t, ...base } = process.env;
  const result = spawnSync(process.execPath, [tsxCli, fixture, ...args], {
    cwd: coreDir,
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const last = result.stdout.trim().split('\n').pop() ?? '';
  return { status: result.status, signal: result.signal, stderr: result.stderr, out: last.startsWith('{') ? JSON.parse(last) : null };
}

describe('wasm threads in Node', () => {
  it('without the workaround, the threaded build fails on a blob: worker URL (ERR_WORKER_PATH)', () => {
    // Plain tfjs, no genloom: force the flag tfjs sets to false in Node and start the backend.
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(${JSON.stringify(coreDir + 'package.json')});
      const tf = require('@tensorflow/tfjs');
      const wasm = require('@tensorflow/tfjs-backend-wasm');
      const before = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
      const ok = await tf.setBackend('wasm');
      console.log(JSON.stringify({ before, ok }));
      process.exit(0);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}')).toEqual({ before: false, ok: false });
    expect(r.stderr).toContain('ERR_WORKER_PATH');
    expect(r.stderr).toContain('blob:nodedata:');
  });

  it('with GENLOOM_WASM_THREADS the threaded build runs 2 threads and matches cpu', async () => {
    const info = await initBackend('wasm', { env: {}, wasmThreads: 2 });
    expect(info.wasm).toMatchObject({ threads: 2, threadsRequested: true, simd: true });
    expect(info.threads).toBe(2);

    // Inputs made on cpu, computed on both backends, compared.
    await initBackend('cpu', { env: {} });
    const x = tf.randomNormal([2, 16, 16, 8], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 8, 16], 0, 0.2, 'float32', 2) as tf.Tensor4D;
    const a = tf.randomNormal([96, 200], 0, 1, 'float32', 3);
    const b = tf.randomNormal([200, 64], 0, 1, 'float32', 4);
    const compute = async () => {
      const conv = tf.conv2d(x, w, 1, 'same');
      const dx = tf.grad((xi) => tf.conv2d(xi as tf.Tensor4D, w, 1, 'same').square().sum())(x);
      return Promise.all([tf.matMul(a, b).data(), conv.data(), dx.data()]);
    };
    const reference = await compute();
    expect((await initBackend('wasm', { env: {}, wasmThreads: 2 })).threads).toBe(2);
    const threaded = await compute();
    for (let i = 0; i < reference.length; i++) {
      const ref = reference[i]!;
      const got = threaded[i]!;
      let worst = 0;
      for (let j = 0; j < ref.length; j++) worst = Math.max(worst, Math.abs(ref[j]! - got[j]!) / (1 + Math.abs(ref[j]!)));
      expect(worst).toBeLessThan(1e-4);
    }
  });

  it('a process using the threaded build ends by itself (its workers are unref-ed)', () => {
    const r = runFixture({ GENLOOM_BACKEND: 'wasm', GENLOOM_WASM_THREADS: '1' });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.out).toMatchObject({ backend: 'wasm', product: [7, 10, 15, 22] });
    // One thread per logical core that Node reports.
    expect(r.out.threads).toBeGreaterThanOrEqual(1);
  });

  it('releaseBackend() stops the threads; a plain wasm process ends by itself after it', async () => {
    expect(await releaseBackend()).toEqual(['wasm threads']);
    expect(runFixture({ GENLOOM_BACKEND: 'wasm' }, ['--release'])).toMatchObject({
      status: 0,
      out: { backend: 'wasm', threads: 1, released: [] },
    });
  });
});
