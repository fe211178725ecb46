import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backendInfo, backendOrder, describeBackend, initBackend } from './index.js';
import type { BackendInfo } from './index.js';

// Each test passes `env` explicitly so that a GENLOOM_BACKEND set in the shell cannot change it,
// except the one test that proves `process.env` is read.
const noEnv = {};

function candidate(info: BackendInfo, name: string) {
  const c = info.candidates.find((x) => x.name === name);
  if (!c) throw new Error(`no candidate ${name}`);
  return c;
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('initBackend, automatic choice', () => {
  it('picks wasm on a machine without a hardware GPU or libtensorflow, and says why for the others', async () => {
    const info = await initBackend('auto', { env: noEnv });
    const webgpu = candidate(info, 'webgpu');
    if (info.backend === 'webgpu') {
      // A machine with a hardware adapter and its driver: the only other right answer.
      expect(info.adapter?.software).toBe(false);
      return;
    }
    expect(info.backend).toBe('wasm');
    expect(info.tfjsBackend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.platform).toBe('node');
    expect(info.forced).toBe(false);
    expect(info.candidates.map((c) => c.name)).toEqual(backendOrder('node'));

    // webgpu: either Dawn found only llvmpipe (rejected, it works) or nothing at all.
    expect(['rejected', 'failed']).toContain(webgpu.status);
    expect(webgpu.reason).toMatch(/software adapter|no GPU adapter|not installed/);
    if (webgpu.status === 'rejected') expect(webgpu.available).toBe(true);

    // The native packages are optional peers that this workspace does not install.
    for (const name of ['tensorflow-gpu', 'tensorflow']) {
      const c = candidate(info, name);
      expect(c.status).toBe('failed');
      expect(c.available).toBe(false);
      expect(c.reason).toMatch(/not installed \(optional package @tensorflow\/tfjs-node/);
    }
    expect(candidate(info, 'wasm')).toMatchObject({ status: 'chosen', available: true });
    expect(candidate(info, 'cpu')).toMatchObject({ status: 'not-tried', reason: 'wasm was chosen first' });
  });

  it('measures the wasm setup: SIMD, one thread in Node, binaries from the package dist folder', async () => {
    const info = await initBackend('wasm', { env: noEnv });
    expect(info.wasm?.simd).toBe(true);
    expect(info.threads).toBe(1);
    expect(info.wasm?.threads).toBe(1);
    expect(info.wasm?.threadsRequested).toBe(false);
    const dist = info.wasm?.paths ?? '';
    expect(dist).toMatch(/tfjs-backend-wasm[/\\]dist[/\\]$/);
    for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      expect(fs.existsSync(dist + file)).toBe(true);
    }
  });

  it('is silent unless given a log, and then logs the choice and one line per other candidate', async () => {
    const spies = (['log', 'info', 'warn', 'error'] as const).map((m) => vi.spyOn(console, m));
    const lines: string[] = [];
    const info = await initBackend('auto', { env: noEnv, log: (l) => lines.push(l) });
    await initBackend('auto', { env: noEnv });
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    expect(lines).toEqual(describeBackend(info));
    expect(lines[0]).toMatch(new RegExp(`^genloom backend: ${info.backend} `));
    expect(lines).toHaveLength(info.candidates.length);
  });
});

describe('initBackend, forced', () => {
  it('GENLOOM_BACKEND=cpu forces cpu, read from process.env', async () => {
    vi.stubEnv('GENLOOM_BACKEND', 'cpu');
    const info = await initBackend('wasm');
    expect(info).toMatchObject({ backend: 'cpu', tfjsBackend: 'cpu', forced: true, forcedBy: 'GENLOOM_BACKEND', threads: 1 });
    expect(tf.getBackend()).toBe('cpu');
    expect(candidate(info, 'wasm')).toMatchObject({ status: 'not-tried', reason: 'GENLOOM_BACKEND=cpu forces cpu' });
  });

  it('the argument forces a backend when GENLOOM_BACKEND is unset', async () => {
    const info = await initBackend('cpu', { env: noEnv });
    expect(info).toMatchObject({ backend: 'cpu', forcedBy: 'argument' });
  });

  it('an unknown name is an error that lists the valid names', async () => {
    const valid = 'valid names: auto, webgpu, tensorflow-gpu, tensorflow, wasm, webgl, cpu';
    await expect(initBackend('auto', { env: { GENLOOM_BACKEND: 'cuda' } })).rejects.toThrow(
      `Unknown backend "cuda" (from GENLOOM_BACKEND); ${valid}`,
    );
    // @ts-expect-error: an untyped caller (a CLI flag) can pass any string
    await expect(initBackend('tpu', { env: noEnv })).rejects.toThrow(valid);
  });

  it('a forced backend that cannot start is an error naming the reason, not a fallback', async () => {
    await expect(initBackend('tensorflow', { env: noEnv })).rejects.toThrow(
      /initBackend\('tensorflow'\) forces tensorflow, but it could not start: tensorflow: not installed/,
    );
    await expect(initBackend('auto', { env: { GENLOOM_BACKEND: 'webgl' } })).rejects.toThrow(/webgl runs only in a browser/);
  });

  it('rejects a malformed GENLOOM_WASM_THREADS', async () => {
    await expect(initBackend('cpu', { env: { GENLOOM_WASM_THREADS: 'lots' } })).rejects.toThrow(/GENLOOM_WASM_THREADS="lots"/);
  });
});

describe('initBackend, called again', () => {
  it('returns the same choice, serialises concurrent calls and re-activates the backend', async () => {
    const [a, b] = await Promise.all([initBackend('auto', { env: noEnv }), initBackend('auto', { env: noEnv })]);
    expect(b).toBe(a);
    expect(backendInfo()).toBe(a);

    await tf.setBackend('cpu'); // someone switched behind our back
    const again = await initBackend('auto', { env: noEnv });
    expect(again).toBe(a);
    expect(tf.getBackend()).toBe(a.tfjsBackend);

    const cpu = await initBackend('cpu', { env: noEnv });
    expect(cpu.backend).toBe('cpu');
    const back = await initBackend('auto', { env: noEnv });
    expect(back.backend).toBe(a.backend);
    expect(tf.getBackend()).toBe(a.tfjsBackend);

    // The backend still computes after all the switching, and reads stay asynchronous.
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await y.data())).toEqual([11]);
  });

  it('asking for wasm threads after wasm started keeps the first setup and says so', async () => {
    await initBackend('wasm', { env: noEnv });
    const info = await initBackend('wasm', { env: noEnv, wasmThreads: 2 });
    expect(info.threads).toBe(1);
    expect(candidate(info, 'wasm').reason).toMatch(/threads are fixed when the wasm backend first starts/);
  });
});

describe('backendOrder', () => {
  it('lists the fastest first, per platform', () => {
    expect(backendOrder('node')).toEqual(['webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    expect(backendOrder('browser')).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  });
});
