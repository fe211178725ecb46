import { OneHot, type KernelConfig, type OneHotAttrs, type TensorInfo } from '@tensorflow/tfjs';
import { defineKernel, runScoped } from './kernel-scope.js';

/**
 * Replacement for the wasm `OneHot`, whose native code always writes int32: asked for float32 it
 * returns int32 bit patterns labelled float32 (`1` reads as 1.4e-45). This runs the original kernel
 * for int32 0/1 and builds the requested dtype and on/off values from it with Cast, Multiply and Add.
 *
 * @example
 * ```ts
 * const original = tf.getKernel('OneHot', 'wasm');
 * tf.unregisterKernel('OneHot', 'wasm');
 * tf.registerKernel(oneHotKernel('wasm', original));
 * tf.oneHot([1, 2], 3, 1, 0, 'float32');   // now [[0, 1, 0], [0, 0, 1]]
 * ```
 */
export function oneHotKernel(backendName: string, original: KernelConfig | undefined): KernelConfig {
  if (!original) throw new Error(`OneHot is not registered for backend '${backendName}'`);
  return defineKernel(OneHot, backendName, ({ inputs, backend, attrs }) => {
    const { dtype, depth, onValue, offValue } = attrs as unknown as OneHotAttrs;
    if (dtype === 'int32') return original.kernelFunc({ inputs, backend, attrs });
    return runScoped(backend, backendName, (scope) => {
      const bits = scope.call(original.kernelFunc, inputs as Record<string, TensorInfo>, {
        depth,
        onValue: 1,
        offValue: 0,
        dtype: 'int32',
      });
      let out = scope.cast(bits, dtype);
      if (onValue - offValue !== 1) out = scope.run('Multiply', { a: out, b: scope.fill([], onValue - offValue, dtype) });
      if (offValue !== 0) out = scope.add(out, scope.fill([], offValue, dtype));
      return out;
    });
  }, original.setupFunc);
}
