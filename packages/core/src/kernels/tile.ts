import { Tile, type KernelConfig, type TensorInfo, type TileAttrs } from '@tensorflow/tfjs';
import { defineKernel } from './kernel-scope.js';
import { isHeapBackend, tileOnHeap } from './wasm-heap.js';

/**
 * Replacement for the wasm `Tile` (also behind `tf.broadcastTo` and the condition of a broadcasting
 * `tf.where`, e.g. an attention mask) by {@link tileOnHeap}; strings go to the original kernel.
 *
 * @example
 * ```ts
 * const original = tf.getKernel('Tile', 'wasm');
 * tf.unregisterKernel('Tile', 'wasm');
 * tf.registerKernel(tileKernel('wasm', original));
 * ```
 */
export function tileKernel(backendName: string, original: KernelConfig | undefined): KernelConfig {
  if (!original) throw new Error(`Tile is not registered for backend '${backendName}'`);
  return defineKernel(
    Tile,
    backendName,
    ({ inputs, backend, attrs }) => {
      const { x } = inputs as { x: TensorInfo };
      const { reps } = attrs as unknown as TileAttrs;
      if (x.dtype === 'string' || !isHeapBackend(backend)) return original.kernelFunc({ inputs, backend, attrs });
      return tileOnHeap(backend, x, reps);
    },
    original.setupFunc,
  );
}
