/**
 * The `tensorflow-gpu` and `tensorflow` candidates: libtensorflow through the optional
 * `@tensorflow/tfjs-node-gpu` / `@tensorflow/tfjs-node` packages. Their install downloads
 * libtensorflow, which fails on many machines, so both stay optional: a failed import is caught
 * and reported, never fatal.
 */
import * as tf from '@tensorflow/tfjs';
import { importRuntime, describeImportError } from './environment.js';

/** What a native candidate reports once initialised. */
export interface NativeSetup {
  threads: number;
  /** A remark for the chosen candidate's reason (e.g. a GPU package that found no GPU). */
  note?: string;
}

const PACKAGES = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
} as const;

/**
 * Imports the native package, which registers tfjs' `tensorflow` backend, and activates it.
 * Both packages register the same backend name; only one of them can be loaded per process.
 *
 * @example
 * ```ts
 * const { threads } = await tryNative('tensorflow'); // throws 'not installed (…)' without the package
 * ```
 */
export async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<NativeSetup> {
  const specifier = PACKAGES[name];
  try {
    await importRuntime(specifier);
  } catch (err) {
    throw new Error(describeImportError(specifier, err));
  }
  if (!tf.findBackendFactory('tensorflow')) {
    // The package brought its own tfjs-core and registered the backend there.
    throw new Error(`${specifier} loaded but registered no backend on this copy of tfjs-core (pin and deduplicate @tensorflow/* packages)`);
  }
  if (!(await tf.setBackend('tensorflow'))) throw new Error('tf.setBackend("tensorflow") returned false');
  const os = await importRuntime<typeof import('node:os')>('node:os');
  const threads = os.availableParallelism?.() ?? os.cpus().length;
  const usingGpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
  if (name === 'tensorflow-gpu' && usingGpu === false) {
    return { threads, note: 'libtensorflow found no CUDA device and runs on the CPU' };
  }
  return { threads };
}
