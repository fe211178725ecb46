/**
 * Kernels that tfjs backends lack for training (wasm 4.22: Conv2DBackpropFilter, UnsortedSegmentSum,
 * depthwise backprops), replacements for the wasm kernels that compute wrong values (OneHot float32,
 * MaxPoolGrad, ResizeNearestNeighborGrad, GatherV2 with batchDims, Conv3D backprops), and faster routes
 * around slow ones (transposed and batched BatchMatMul, Conv2DBackpropInput, Tile, Slice, Sum/Mean
 * over leading axes). See README-section.md for the measurements behind each.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs';
import { batchMatMulKernel, fusedMatMulKernel } from './batch-mat-mul.js';
import { conv2DBackpropFilterKernel, depthwiseBackpropFilterKernel } from './conv-backprop-filter.js';
import { conv2DBackpropInputKernel, depthwiseBackpropInputKernel } from './conv-backprop-input.js';
import { conv3DBackpropFilterKernel, conv3DBackpropInputKernel } from './conv3d-backprop.js';
import { gatherV2Kernel } from './gather.js';
import { oneHotKernel } from './one-hot.js';
import { leadingReduceKernel } from './reduce-leading.js';
import { maxPoolGradKernel, resizeNearestNeighborGradKernel } from './scatter-grads.js';
import { sliceKernel } from './slice.js';
import { tileKernel } from './tile.js';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum.js';

export { chooseOrientation, matMulTuning } from './batch-mat-mul.js';
export { convFilterTuning } from './conv-backprop-filter.js';
export { conv2DBackpropInputTuning } from './conv-backprop-input.js';

/** One kernel genloom provides for a backend. */
interface KernelPlan {
  name: string;
  /** `add`: the backend lacks it. `replace`: the backend's own is wrong or slow; keep it as `original`. */
  mode: 'add' | 'replace';
  make: (backendName: string, original: KernelConfig | undefined) => KernelConfig;
}

const PLANS: Record<string, KernelPlan[]> = {
  wasm: [
    { name: 'Conv2DBackpropFilter', mode: 'add', make: (b) => conv2DBackpropFilterKernel(b) },
    { name: 'DepthwiseConv2dNativeBackpropFilter', mode: 'add', make: (b) => depthwiseBackpropFilterKernel(b) },
    { name: 'DepthwiseConv2dNativeBackpropInput', mode: 'add', make: (b) => depthwiseBackpropInputKernel(b) },
    { name: 'UnsortedSegmentSum', mode: 'add', make: (b) => unsortedSegmentSumKernel(b) },
    { name: 'Conv2DBackpropInput', mode: 'replace', make: (b) => conv2DBackpropInputKernel(b) },
    { name: 'BatchMatMul', mode: 'replace', make: batchMatMulKernel },
    { name: '_FusedMatMul', mode: 'replace', make: fusedMatMulKernel },
    { name: 'OneHot', mode: 'replace', make: oneHotKernel },
    { name: 'ResizeNearestNeighborGrad', mode: 'replace', make: (b) => resizeNearestNeighborGradKernel(b) },
    { name: 'MaxPoolGrad', mode: 'replace', make: (b) => maxPoolGradKernel(b) },
    { name: 'Tile', mode: 'replace', make: tileKernel },
    { name: 'Slice', mode: 'replace', make: sliceKernel },
    { name: 'Sum', mode: 'replace', make: (b, o) => leadingReduceKernel('Sum', b, o) },
    { name: 'Mean', mode: 'replace', make: (b, o) => leadingReduceKernel('Mean', b, o) },
    { name: 'GatherV2', mode: 'replace', make: gatherV2Kernel },
    { name: 'Conv3DBackpropFilterV2', mode: 'replace', make: (b) => conv3DBackpropFilterKernel(b) },
    { name: 'Conv3DBackpropInputV2', mode: 'replace', make: (b) => conv3DBackpropInputKernel(b) },
  ],
};

/** What genloom registered per backend, with the backend's own kernels it replaced. */
const installed = new Map<string, { names: string[]; originals: Map<string, KernelConfig | undefined> }>();

/**
 * Registers on `backendName` the kernels that training needs and the backend lacks, and replaces the
 * backend's kernels that are wrong or far slower than an equivalent made of its other kernels.
 * Returns the names of the kernels it registered. Idempotent: a second call registers nothing and
 * returns the same names. Backends that need nothing (cpu, webgl, webgpu, tensorflow) get `[]`.
 *
 * For `wasm`: adds Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter/Input and
 * UnsortedSegmentSum; replaces kernels that are wrong there (OneHot for float32, MaxPoolGrad,
 * ResizeNearestNeighborGrad, GatherV2 with batchDims, Conv3DBackpropFilterV2/InputV2) and slow ones
 * (Conv2DBackpropInput through Conv2D; BatchMatMul and _FusedMatMul with explicit transposes and
 * batches folded or split so XNNPACK runs; Tile and Slice as heap copies; Sum and Mean over leading
 * axes as a product with ones). Each replacement keeps the original for the cases it does not
 * change. Call it after the backend's package is imported; `initBackend` does.
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * await tf.setBackend('wasm');
 * registerTrainingKernels('wasm');   // ['Conv2DBackpropFilter', …, 'OneHot']
 * registerTrainingKernels('wasm');   // same list, nothing registered twice
 * ```
 */
export function registerTrainingKernels(backendName: string): string[] {
  const done = installed.get(backendName);
  if (done) return [...done.names];
  const plans = PLANS[backendName] ?? [];
  const names: string[] = [];
  const originals = new Map<string, KernelConfig | undefined>();
  for (const plan of plans) {
    const existing = getKernel(plan.name, backendName);
    if (plan.mode === 'add' && existing) continue; // a newer backend has its own
    if (plan.mode === 'replace' && !existing) continue; // nothing to route around
    const config = plan.make(backendName, existing);
    if (existing) unregisterKernel(plan.name, backendName);
    originals.set(plan.name, existing);
    registerKernel(config);
    names.push(plan.name);
  }
  installed.set(backendName, { names, originals });
  return [...names];
}

/**
 * Undoes {@link registerTrainingKernels} for `backendName`: removes the added kernels and puts the
 * backend's own kernels back. Returns the names it restored or removed. Used by the benchmark to
 * measure "before", and by tests.
 *
 * @example
 * ```ts
 * restoreBackendKernels('wasm');       // plain tfjs-backend-wasm again
 * registerTrainingKernels('wasm');     // and back
 * ```
 */
export function restoreBackendKernels(backendName: string): string[] {
  const done = installed.get(backendName);
  if (!done) return [];
  for (const name of done.names) {
    unregisterKernel(name, backendName);
    const original = done.originals.get(name);
    if (original) registerKernel(original);
  }
  installed.delete(backendName);
  return [...done.names];
}

/**
 * The kernels {@link registerTrainingKernels} currently has registered on `backendName`.
 *
 * @example
 * ```ts
 * trainingKernelsFor('wasm').includes('UnsortedSegmentSum');   // true after initBackend('wasm')
 * ```
 */
export function trainingKernelsFor(backendName: string): string[] {
  return [...(installed.get(backendName)?.names ?? [])];
}
