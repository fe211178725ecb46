import { Slice, slice_util, type KernelConfig, type SliceAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { defineKernel } from './kernel-scope.js';
import { isHeapBackend, sliceOnHeap } from './wasm-heap.js';

/**
 * Replacement for the wasm `Slice` by {@link sliceOnHeap} (no copy of the whole input per call);
 * strings go to the original kernel.
 *
 * @example
 * ```ts
 * const original = tf.getKernel('Slice', 'wasm');
 * tf.unregisterKernel('Slice', 'wasm');
 * tf.registerKernel(sliceKernel('wasm', original));
 * ```
 */
export function sliceKernel(backendName: string, original: KernelConfig | undefined): KernelConfig {
  if (!original) throw new Error(`Slice is not registered for backend '${backendName}'`);
  return defineKernel(
    Slice,
    backendName,
    ({ inputs, backend, attrs }) => {
      const { x } = inputs as { x: TensorInfo };
      if (x.dtype === 'string' || !isHeapBackend(backend)) return original.kernelFunc({ inputs, backend, attrs });
      const { begin, size } = attrs as unknown as SliceAttrs;
      const [b, s] = slice_util.parseSliceParams(x as never, begin, size) as [number[], number[]];
      return sliceOnHeap(backend, x, b, s);
    },
    original.setupFunc,
  );
}
