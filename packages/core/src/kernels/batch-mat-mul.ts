import {
  BatchMatMul,
  _FusedMatMul,
  type BatchMatMulAttrs,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
  type _FusedMatMulAttrs,
} from '@tensorflow/tfjs';
import { defineKernel, runScoped, type KernelScope } from './kernel-scope.js';
import { isHeapBackend, takeAlongFirstAxis } from './wasm-heap.js';

/**
 * Tuning knobs of the matMul routing (mutable so tests and the benchmark can move them).
 *
 * @example
 * ```ts
 * matMulTuning.orientation = 'direct';   // always transpose the flagged operands
 * ```
 */
export const matMulTuning = {
  /**
   * Below this many multiply-adds per matrix, a batched product stays on the backend's own batched
   * loop: splitting it costs two copies and an XNNPACK operator per matrix.
   */
  minMacsPerSplitMatrix: 4096,
  /**
   * How a product with transpose flags is rearranged: `direct` transposes the flagged operands,
   * `swapped` computes `(op(B)ᵀ · op(A)ᵀ)ᵀ`, `auto` (default) picks the one that moves fewer floats
   * (see {@link chooseOrientation}).
   */
  orientation: 'auto' as 'auto' | 'direct' | 'swapped',
};

/**
 * Which arrangement of `op(A)·op(B)` (`[M, K]·[K, N]` after the flags) moves fewer floats through
 * Transpose and XNNPACK's packing of the right operand (done on every call for a new tensor):
 *
 * - `direct`: transpose the flagged operands; cost `tA·MK + tB·KN + KN` (pack `[K, N]`);
 * - `swapped`: `C = (op(B)ᵀ · op(A)ᵀ)ᵀ` — a flagged operand is already in the needed layout, an
 *   unflagged one is transposed; cost `¬tB·KN + ¬tA·MK + MK` (pack `[K, M]`) `+ MN` (result).
 *
 * For `dy · Wᵀ` in a small-batch backward pass (M = 32, K = 1024, N = 320) `swapped` transposes two
 * small matrices instead of the 320×1024 weight, which measured 4× the product's own time.
 *
 * @example
 * ```ts
 * chooseOrientation(32, 1024, 320, false, true);   // 'swapped'
 * chooseOrientation(64, 32, 64, false, true);      // 'direct' (attention scores QKᵀ)
 * ```
 */
export function chooseOrientation(m: number, k: number, n: number, tA: boolean, tB: boolean): 'direct' | 'swapped' {
  if (!tA && !tB) return 'direct';
  if (matMulTuning.orientation !== 'auto') return matMulTuning.orientation;
  const direct = (tA ? m * k : 0) + (tB ? k * n : 0) + k * n;
  const swapped = (tB ? 0 : k * n) + (tA ? 0 : m * k) + m * k + m * n;
  return swapped < direct ? 'swapped' : 'direct';
}

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** Swaps the last two axes of `x` with the backend's Transpose kernel. */
function transposeLastTwo(scope: KernelScope, x: TensorInfo): TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return scope.transpose(x, perm);
}

/**
 * `a · b` without transpose flags, shaped so that the wasm kernel takes its XNNPACK path (which it does
 * only for a single matrix pair; every batched or transposed product falls into a scalar loop):
 *
 * - one pair: the kernel as is;
 * - `b` shared by every matrix of `a`: fold `a`'s batch into its rows, one product;
 * - otherwise, equal batches: one product per matrix pair, concatenated;
 * - anything else (e.g. broadcasting over several batch axes): the kernel as is.
 *
 * `extra` holds inputs passed through unchanged (bias, PReLU weights of `_FusedMatMul`), which must be
 * the same for every row of the output (rank 1). `alwaysSplit` ignores the size threshold.
 */
function untransposedProduct(
  scope: KernelScope,
  original: KernelFunc,
  a: TensorInfo,
  b: TensorInfo,
  extra: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
  alwaysSplit = false,
): TensorInfo {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batchA = size(aBatch);
  const batchB = size(bBatch);
  const flags = { ...attrs, transposeA: false, transposeB: false };
  const direct = () => scope.call(original, { a, b, ...extra }, flags);

  if (batchA <= 1 && batchB <= 1) return direct();
  if (batchB === 1) {
    const rows = scope.reshape(a, [1, batchA * m, k]);
    const out = scope.call(original, { a: rows, b: scope.reshape(b, [1, k, n]), ...extra }, flags);
    return scope.reshape(out, [...aBatch, m, n]);
  }
  const sameBatch = aBatch.length === bBatch.length && aBatch.every((d, i) => d === bBatch[i]);
  const splittable = (sameBatch || batchA === 1) && (alwaysSplit || m * k * n >= matMulTuning.minMacsPerSplitMatrix);
  if (!splittable) return direct();
  const a3 = scope.reshape(a, [batchA, m, k]);
  const b3 = scope.reshape(b, [batchB, k, n]);
  const parts: TensorInfo[] = [];
  for (let i = 0; i < batchB; i++) {
    const ai = batchA === 1 ? a3 : pick(scope, a3, i);
    const bi = pick(scope, b3, i);
    parts.push(scope.call(original, { a: ai, b: bi, ...extra }, flags));
    if (ai !== a3) scope.release(ai);
    scope.release(bi);
  }
  return scope.reshape(scope.concat(parts, 0), [...bBatch, m, n]);
}

/** Matrix `i` of a `[B, r, c]` tensor as `[1, r, c]`. */
function pick(scope: KernelScope, x: TensorInfo, i: number): TensorInfo {
  if (isHeapBackend(scope.backend)) return scope.adopt(takeAlongFirstAxis(scope.backend, x, i, 1));
  return scope.slice(x, [i, 0, 0], [1, x.shape[1]!, x.shape[2]!]);
}

function originalKernel(name: string, backendName: string, original: KernelConfig | undefined): KernelConfig {
  if (!original) throw new Error(`${name} is not registered for backend '${backendName}'; nothing to route around`);
  return original;
}

/**
 * Replacement for the wasm `BatchMatMul` that keeps products on XNNPACK: with `transposeA`/`transposeB`
 * operands are transposed explicitly first (the original kernel's transposed path is a scalar loop,
 * measured 10–16× slower), in the arrangement {@link chooseOrientation} picks, and batched products
 * are folded or split as described in `untransposedProduct`. `original` is the kernel config being replaced (keep it: the replacement calls
 * it).
 *
 * @example
 * ```ts
 * const original = tf.getKernel('BatchMatMul', 'wasm');
 * tf.unregisterKernel('BatchMatMul', 'wasm');
 * tf.registerKernel(batchMatMulKernel('wasm', original));
 * ```
 */
export function batchMatMulKernel(backendName: string, original: KernelConfig | undefined): KernelConfig {
  const base = originalKernel(BatchMatMul, backendName, original);
  return defineKernel(BatchMatMul, backendName, ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return base.kernelFunc({ inputs, backend, attrs });
    return runScoped(backend, backendName, (scope) => {
      const [ra, ca] = a.shape.slice(-2) as [number, number];
      const n = transposeB ? b.shape[b.shape.length - 2]! : b.shape[b.shape.length - 1]!;
      const [m, k] = transposeA ? [ca, ra] : [ra, ca];
      if (chooseOrientation(m, k, n, transposeA, transposeB) === 'swapped') {
        const left = transposeB ? b : transposeLastTwo(scope, b); // op(B)ᵀ  [N, K]
        const right = transposeA ? a : transposeLastTwo(scope, a); // op(A)ᵀ [K, M]
        return transposeLastTwo(scope, untransposedProduct(scope, base.kernelFunc, left, right, {}, attrs));
      }
      const aN = transposeA ? transposeLastTwo(scope, a) : a;
      const bN = transposeB ? transposeLastTwo(scope, b) : b;
      return untransposedProduct(scope, base.kernelFunc, aN, bN, {}, attrs);
    });
  }, base.setupFunc);
}

/**
 * The same routing for `_FusedMatMul` (matMul + bias + activation, used by `tf.fused.matMul` and the
 * layers API's Dense), passing bias and PReLU weights through.
 *
 * @example
 * ```ts
 * const original = tf.getKernel('_FusedMatMul', 'wasm');
 * tf.unregisterKernel('_FusedMatMul', 'wasm');
 * tf.registerKernel(fusedMatMulKernel('wasm', original));
 * ```
 */
export function fusedMatMulKernel(backendName: string, original: KernelConfig | undefined): KernelConfig {
  const base = originalKernel(_FusedMatMul, backendName, original);
  return defineKernel(_FusedMatMul, backendName, ({ inputs, backend, attrs }) => {
    const { a, b, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const { transposeA, transposeB } = attrs as unknown as _FusedMatMulAttrs;
    const perRow = (t: TensorInfo | undefined) => t == null || t.shape.length <= 1;
    if (a!.dtype !== 'float32' || b!.dtype !== 'float32' || !perRow(bias) || !perRow(preluActivationWeights)) {
      return base.kernelFunc({ inputs, backend, attrs });
    }
    const extra: Record<string, TensorInfo> = {};
    if (bias) extra.bias = bias;
    if (preluActivationWeights) extra.preluActivationWeights = preluActivationWeights;
    return runScoped(backend, backendName, (scope) => {
      const aN = transposeA ? transposeLastTwo(scope, a!) : a!;
      const bN = transposeB ? transposeLastTwo(scope, b!) : b!;
      // Always split: the wasm batched loop adds bias[i·N + j] instead of bias[j] (wrong for M > 1).
      return untransposedProduct(scope, base.kernelFunc, aN, bN, extra, attrs, true);
    });
  }, base.setupFunc);
}
