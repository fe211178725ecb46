import * as tf from '@tensorflow/tfjs';
import { registerTrainingKernels } from '../kernels/index.js';

/** Backends genloom can run on, in the order `initBackend('auto')` tries them in Node. */
export type BackendName = 'webgpu' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'webgl' | 'cpu';

/** One backend that was considered, and why it was or was not chosen. */
export interface BackendCandidate {
  name: BackendName;
  available: boolean;
  reason: string;
}

/** What {@link initBackend} chose. */
export interface BackendInfo {
  backend: BackendName;
  /** The name tfjs knows the backend by (`tf.getBackend()`). */
  tfjsBackend: string;
  candidates: BackendCandidate[];
  threads: number;
  tfjsVersion: string;
  /** Kernels genloom registered on the backend so that every family can train there. */
  addedKernels: string[];
}

let current: BackendInfo | null = null;

async function tryWasm(): Promise<string> {
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
  return 'wasm';
}

async function tryCpu(): Promise<string> {
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
  return 'cpu';
}

/**
 * Chooses and initialises a tfjs backend. With no preference (or `'auto'`) the order is the fastest
 * available; `GENLOOM_BACKEND` in the environment overrides the argument.
 *
 * @example
 * ```ts
 * const info = await initBackend();        // e.g. { backend: 'wasm', … }
 * await initBackend('cpu');                // force the pure-JS backend (tests that compare backends)
 * ```
 */
export async function initBackend(preference: BackendName | 'auto' = 'auto'): Promise<BackendInfo> {
  const forced = typeof process !== 'undefined' ? process.env?.GENLOOM_BACKEND : undefined;
  const wanted = (forced || preference) as BackendName | 'auto';
  const order: BackendName[] = wanted === 'auto' ? ['wasm', 'cpu'] : [wanted];
  const tries: Record<string, () => Promise<string>> = { wasm: tryWasm, cpu: tryCpu };
  const candidates: BackendCandidate[] = [];
  for (const name of order) {
    const attempt = tries[name];
    if (!attempt) {
      candidates.push({ name, available: false, reason: `unknown backend "${name}"; expected one of ${Object.keys(tries).join(', ')}` });
      continue;
    }
    try {
      const tfjsBackend = await attempt();
      await tf.ready();
      candidates.push({ name, available: true, reason: 'chosen' });
      current = {
        backend: name,
        tfjsBackend,
        candidates,
        threads: 1,
        tfjsVersion: tf.version.tfjs,
        addedKernels: registerTrainingKernels(tfjsBackend),
      };
      return current;
    } catch (err) {
      candidates.push({ name, available: false, reason: (err as Error).message });
    }
  }
  throw new Error(`No tfjs backend could be initialised: ${candidates.map((c) => `${c.name}: ${c.reason}`).join('; ')}`);
}

/** The backend chosen by the last {@link initBackend}, or null. @example `backendInfo()?.backend` */
export function backendInfo(): BackendInfo | null {
  return current;
}
