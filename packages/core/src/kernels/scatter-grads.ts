import {
  backend_util,
  MaxPoolGrad,
  ResizeNearestNeighborGrad,
  type KernelConfig,
  type MaxPoolGradAttrs,
  type ResizeNearestNeighborGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { defineKernel, runScoped } from './kernel-scope.js';
import { isHeapBackend, maxPoolBackprop } from './wasm-heap.js';

/**
 * Source row (or column) each output row of a nearest-neighbour resize reads, by TensorFlow's rule:
 * scale `in/out` (or `(in−1)/(out−1)` with `alignCorners`), sample at `o` (or `o + ½` with
 * `halfPixelCenters`), round down (or to nearest with `alignCorners`), clamp to the input.
 *
 * @example
 * ```ts
 * nearestSourceIndex(4, 2, false, false);   // Int32Array [0, 0, 1, 1]
 * ```
 */
export function nearestSourceIndex(outSize: number, inSize: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const effIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const ratio = effIn / effOut;
  const src = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const frac = halfPixelCenters ? ratio * (o + 0.5) : ratio * o;
    const i = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    src[o] = halfPixelCenters ? Math.max(0, i) : i;
  }
  return src;
}

/**
 * `ResizeNearestNeighborGrad` (the gradient of nearest-neighbour upsampling) as one wasm `ScatterNd`:
 * every output pixel's gradient is added to the input pixel it was copied from. The wasm backend's
 * own kernel is wrong with `halfPixelCenters` (it fails `⟨x, Rᵀr⟩ = ⟨Rx, r⟩`); so is the cpu
 * backend's for several channels or examples, so the tests check the adjoint identity, not cpu.
 *
 * @example
 * ```ts
 * registerKernel(resizeNearestNeighborGradKernel('wasm'));
 * ```
 */
export function resizeNearestNeighborGradKernel(backendName: string): KernelConfig {
  return defineKernel(ResizeNearestNeighborGrad, backendName, ({ inputs, backend, attrs }) => {
    const { images, dy } = inputs as { images: TensorInfo; dy: TensorInfo };
    const { alignCorners, halfPixelCenters } = attrs as unknown as ResizeNearestNeighborGradAttrs;
    return runScoped(backend, backendName, (scope) => {
      const [n, inH, inW, c] = images.shape as [number, number, number, number];
      const [, outH, outW] = dy.shape as [number, number, number, number];
      const srcY = nearestSourceIndex(outH, inH, alignCorners, halfPixelCenters);
      const srcX = nearestSourceIndex(outW, inW, alignCorners, halfPixelCenters);
      const index = new Int32Array(n * outH * outW);
      let o = 0;
      for (let b = 0; b < n; b++) {
        for (let y = 0; y < outH; y++) {
          const row = (b * inH + srcY[y]!) * inW;
          for (let x = 0; x < outW; x++) index[o++] = row + srcX[x]!;
        }
      }
      const indices = scope.constant(index, [index.length, 1]);
      const updates = scope.reshape(scope.cast(dy, 'float32'), [index.length, c]);
      const dx = scope.run('ScatterNd', { indices, updates }, { shape: [n * inH * inW, c] });
      return scope.reshape(dx, [n, inH, inW, c]);
    });
  });
}

/**
 * `MaxPoolGrad` by {@link maxPoolBackprop} (see there why it is a pass over the wasm heap and not
 * a composition of the backend's kernels: its MaxPoolGrad and MaxPoolWithArgmax are both wrong).
 *
 * @example
 * ```ts
 * registerKernel(maxPoolGradKernel('wasm'));
 * ```
 */
export function maxPoolGradKernel(backendName: string): KernelConfig {
  return defineKernel(MaxPoolGrad, backendName, ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
    if (!isHeapBackend(backend)) throw new Error('MaxPoolGrad: needs a backend with a wasm heap (tfjs-backend-wasm)');
    const shape = input.shape as [number, number, number, number];
    const info = backend_util.computePool2DInfo(shape, filterSize, strides, 1, pad, dimRoundingMode);
    return runScoped(backend, backendName, (scope) => scope.adopt(maxPoolBackprop(backend, input, scope.cast(dy, 'float32'), info)));
  });
}
