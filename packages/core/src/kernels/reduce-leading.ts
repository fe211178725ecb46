import { Mean, Sum, util, type KernelConfig, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { defineKernel, runScoped } from './kernel-scope.js';

/**
 * Replacement for the wasm `Sum` / `Mean` when the reduced axes are the leading ones (bias gradients,
 * batch statistics: `dy.sum([0, 1, 2])` of `[N, H, W, C]`): `ones[1, R] · x[R, C]` with XNNPACK. The wasm
 * kernels first transpose the reduced axes to the end, which made `[64, 14, 14, 128]` → `[128]` take
 * ≈35× longer than this product. Other axes, and non-float dtypes, go to the original kernel.
 *
 * @example
 * ```ts
 * const original = tf.getKernel('Sum', 'wasm');
 * tf.unregisterKernel('Sum', 'wasm');
 * tf.registerKernel(leadingReduceKernel('Sum', 'wasm', original));
 * ```
 */
export function leadingReduceKernel(kernelName: 'Sum' | 'Mean', backendName: string, original: KernelConfig | undefined): KernelConfig {
  if (!original) throw new Error(`${kernelName} is not registered for backend '${backendName}'`);
  return defineKernel(
    kernelName === 'Sum' ? Sum : Mean,
    backendName,
    ({ inputs, backend, attrs }) => {
      const { x } = inputs as { x: TensorInfo };
      const { axis, keepDims } = attrs as unknown as SumAttrs;
      const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const k = axes.length;
      const leading = k > 0 && k < x.shape.length && axes.every((a, i) => a === i);
      if (x.dtype !== 'float32' || !leading) return original.kernelFunc({ inputs, backend, attrs });
      const rows = util.sizeFromShape(x.shape.slice(0, k));
      const cols = util.sizeFromShape(x.shape.slice(k));
      if (rows === 0 || cols === 0) return original.kernelFunc({ inputs, backend, attrs });
      const outShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...x.shape.slice(k)] : x.shape.slice(k);
      return runScoped(backend, backendName, (scope) => {
        const weights = scope.fill([1, rows], kernelName === 'Sum' ? 1 : 1 / rows);
        return scope.reshape(scope.matMul(weights, scope.reshape(x, [rows, cols])), outShape);
      });
    },
    original.setupFunc,
  );
}
