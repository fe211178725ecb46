import {
  getKernel,
  type DataType,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs';

/** Inputs of a kernel: named (`{ x, filter }`) or, for Concat/Pack/AddN, a list. */
export type KernelInputs = Record<string, TensorInfo> | TensorInfo[];

/**
 * Runs kernels of one backend from inside another kernel and frees every intermediate result.
 *
 * A composite kernel (say, Conv2DBackpropFilter built from Pad, Slice and BatchMatMul) is called by
 * the tfjs engine with raw `TensorInfo`s, not tensors, and must return a `TensorInfo` that owns one
 * reference to its data. Tensors and `tf.tidy` are the engine's bookkeeping and are not available
 * there, so this class keeps the same promise by hand: each `TensorInfo` a kernel returns owns one
 * reference on the backend, the scope remembers it, and {@link KernelScope.finish} releases all of
 * them except the result. Nothing leaves the backend: every step is one of its own kernels.
 *
 * @example
 * ```ts
 * const kernelFunc: KernelFunc = ({ inputs, backend }) =>
 *   runScoped(backend, 'wasm', (s) => s.run('Neg', { x: s.run('Exp', { x: inputs.x! }) }));
 * ```
 */
export class KernelScope {
  private readonly owned = new Set<TensorInfo>();

  constructor(
    readonly backend: KernelBackend,
    readonly backendName: string,
  ) {}

  /** Runs the registered kernel `kernelName` of this scope's backend; the scope owns the result. */
  run(kernelName: string, inputs: KernelInputs, attrs: NamedAttrMap = {}): TensorInfo {
    const config = getKernel(kernelName, this.backendName);
    if (!config) throw new Error(`Kernel '${kernelName}' is not registered for backend '${this.backendName}'`);
    return this.call(config.kernelFunc, inputs, attrs);
  }

  /** Runs a given kernel function (e.g. the original kernel that an override wraps). */
  call(kernelFunc: KernelFunc, inputs: KernelInputs, attrs: NamedAttrMap = {}): TensorInfo {
    const out = kernelFunc({ inputs: inputs as unknown as NamedTensorInfoMap, backend: this.backend, attrs });
    if (Array.isArray(out)) {
      out.forEach((t) => this.owned.add(t));
      throw new Error('KernelScope.call expects a kernel with a single output');
    }
    this.owned.add(out);
    return out;
  }

  /** Runs a kernel with several outputs (e.g. MaxPoolWithArgmax); the scope owns them all. */
  runMulti(kernelName: string, inputs: KernelInputs, attrs: NamedAttrMap = {}): TensorInfo[] {
    const config = getKernel(kernelName, this.backendName);
    if (!config) throw new Error(`Kernel '${kernelName}' is not registered for backend '${this.backendName}'`);
    const out = config.kernelFunc({ inputs: inputs as unknown as NamedTensorInfoMap, backend: this.backend, attrs });
    const list = Array.isArray(out) ? out : [out];
    list.forEach((t) => this.owned.add(t));
    return list;
  }

  /** A new tensor on the backend holding `values` (small index tables built in JavaScript). */
  constant(values: Int32Array | Float32Array, shape: number[]): TensorInfo {
    const dtype = values instanceof Int32Array ? 'int32' : 'float32';
    return this.adopt({ dataId: this.backend.write(values, shape, dtype), shape, dtype });
  }

  /** Takes ownership of a `TensorInfo` made outside {@link KernelScope.run} (e.g. by a heap copy). */
  adopt(t: TensorInfo): TensorInfo {
    this.owned.add(t);
    return t;
  }

  /** Frees an intermediate now rather than at the end of the scope (keeps peak memory down). */
  release(t: TensorInfo): void {
    if (this.owned.delete(t)) this.backend.disposeData(t.dataId);
  }

  /** Frees every intermediate but `result`, which is returned with its one reference. */
  finish(result: TensorInfo): TensorInfo {
    const out = this.owned.has(result) ? result : this.run('Identity', { x: result });
    this.owned.delete(out);
    this.disposeAll();
    return out;
  }

  /** Frees everything the scope owns (used when a kernel throws). */
  disposeAll(): void {
    for (const t of this.owned) this.backend.disposeData(t.dataId);
    this.owned.clear();
  }

  // ---- small wrappers around the kernels the composites use most -----------------------------

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** Zero padding; `paddings[i]` is `[before, after]` for axis i. */
  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    if (size.every((n, i) => n === x.shape[i]) && begin.every((b) => b === 0)) return x;
    return this.run('Slice', { x }, { begin, size });
  }

  /** `x[begin : begin + size*stride : stride]` per axis. */
  stridedSlice(x: TensorInfo, begin: number[], size: number[], strides: number[]): TensorInfo {
    if (strides.every((s) => s === 1)) return this.slice(x, begin, size);
    const end = begin.map((b, i) => b + (size[i]! - 1) * strides[i]! + 1);
    return this.run(
      'StridedSlice',
      { x },
      { begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 },
    );
  }

  concat(xs: TensorInfo[], axis: number): TensorInfo {
    return xs.length === 1 ? xs[0]! : this.run('Concat', xs, { axis });
  }

  matMul(a: TensorInfo, b: TensorInfo): TensorInfo {
    return this.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  }

  add(a: TensorInfo, b: TensorInfo): TensorInfo {
    return this.run('Add', { a, b });
  }

  sum(x: TensorInfo, axis: number[]): TensorInfo {
    return this.run('Sum', { x }, { axis, keepDims: false });
  }

  cast(x: TensorInfo, dtype: DataType): TensorInfo {
    return x.dtype === dtype ? x : this.run('Cast', { x }, { dtype });
  }

  fill(shape: number[], value: number, dtype: DataType = 'float32'): TensorInfo {
    return this.run('Fill', {}, { shape, value, dtype });
  }
}

/**
 * Runs `body` in a fresh {@link KernelScope} and returns its result with every intermediate freed,
 * also when `body` throws.
 *
 * @example
 * ```ts
 * const out = runScoped(backend, 'wasm', (s) => s.transpose(s.reshape(x, [4, 8]), [1, 0]));
 * ```
 */
export function runScoped(
  backend: KernelBackend,
  backendName: string,
  body: (scope: KernelScope) => TensorInfo,
): TensorInfo {
  const scope = new KernelScope(backend, backendName);
  try {
    return scope.finish(body(scope));
  } catch (err) {
    scope.disposeAll();
    throw err;
  }
}

/** What a kernel function receives, with the types a composite kernel works with. */
export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs: NamedAttrMap;
}

/**
 * A `KernelConfig` for `tf.registerKernel` from a function of {@link KernelArgs}.
 *
 * @example
 * ```ts
 * registerKernel(defineKernel('Neg', 'wasm', ({ inputs, backend }) =>
 *   runScoped(backend, 'wasm', (s) => s.run('Multiply', { a: inputs.x!, b: s.fill([], -1) }))));
 * ```
 */
export function defineKernel(
  kernelName: string,
  backendName: string,
  fn: (args: KernelArgs) => TensorInfo | TensorInfo[],
  setupFunc?: KernelConfig['setupFunc'],
): KernelConfig {
  const kernelFunc: KernelFunc = (args) =>
    fn({ inputs: args.inputs, backend: args.backend as KernelBackend, attrs: args.attrs ?? {} });
  return setupFunc ? { kernelName, backendName, kernelFunc, setupFunc } : { kernelName, backendName, kernelFunc };
}
