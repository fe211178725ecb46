import {
  backend_util,
  Conv2DBackpropInput,
  DepthwiseConv2dNativeBackpropInput,
  type Conv2DBackpropInputAttrs,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs';
import {
  flipDepthwiseIntoPhases,
  flipIntoPhases,
  interleaveDepthwisePhases,
  interleavePhaseList,
  interleavePhases,
  phaseTaps,
  planAxis,
  type AxisPlan,
} from './conv-phases.js';
import { defineKernel, runScoped, type KernelScope } from './kernel-scope.js';
import { col2im, isHeapBackend, type HeapBackend } from './wasm-heap.js';

/**
 * Tuning of {@link conv2DBackpropInputKernel} (mutable so tests and benchmarks can pick a path).
 *
 * @example
 * ```ts
 * conv2DBackpropInputTuning.phaseConvs = () => false;   // always one convolution over all phases
 * ```
 */
export const conv2DBackpropInputTuning = {
  /**
   * Whether a strided input gradient uses one convolution per stride phase (exact taps) rather than
   * one convolution over all phases padded to `ceil(k/s)` taps (which multiplies zeros when `k` is not
   * a multiple of `s`: 36 taps for 25 at k = 5, s = 2). Default: per phase when padding would waste
   * FLOPs and the gradient has ≥ 16 channels. Measured (batch 64, 14×14×64 ← 7×7×128): k5 s2 69% of
   * the forward GFLOP/s per phase against 55% padded, k3 s2 107% against 54%; but with 1 channel
   * (28×28×1 ← 14×14×64) per-phase fell to 20% against 62%: XNNPACK runs convolutions with a
   * single output channel poorly, and the padded one has `sH·sW` of them.
   */
  phaseConvs: (kH: number, kW: number, sH: number, sW: number, channels: number): boolean =>
    (kH % sH !== 0 || kW % sW !== 0) && channels >= 16,
  /**
   * Below this many input-gradient channels (the conv's input channels), compute `dy · Wᵀ` with one
   * BatchMatMul and add the patches back with {@link col2im} instead of convolving: XNNPACK runs a
   * convolution with only `sH·sW·C` output channels poorly. Measured (batch 64, 28×28×C ← 14×14×64,
   * share of the forward GFLOP/s, phase conv → col2im): C = 1, k5: 74% → 92%; C = 1, k4: 110% → 113%;
   * C = 3, k5: 57% → 55%; C = 8, k3 s1: 134% → 65%.
   */
  col2imBelowChannels: 4,
};

function heapOf(scope: KernelScope, kernel: string): HeapBackend {
  if (!isHeapBackend(scope.backend)) throw new Error(`${kernel}: needs a backend with a wasm heap (tfjs-backend-wasm)`);
  return scope.backend;
}

/** The rows of `dy` a phase convolution reads, and the zero padding it needs around them. */
function windowDy(scope: KernelScope, dy: TensorInfo, h: AxisPlan, w: AxisPlan): [TensorInfo, number[][]] {
  const [n, oh, ow, c] = dy.shape as [number, number, number, number];
  const top = Math.max(0, -h.before);
  const left = Math.max(0, -w.before);
  const rows = oh - top - Math.max(0, -h.after);
  const cols = ow - left - Math.max(0, -w.after);
  const win = scope.slice(dy, [0, top, left, 0], [n, rows, cols, c]);
  const pads = [
    [0, 0],
    [Math.max(0, h.before), Math.max(0, h.after)],
    [Math.max(0, w.before), Math.max(0, w.after)],
    [0, 0],
  ];
  return [win, pads];
}

/** A plan for one phase with `J` taps: fewer taps start later in `dy`. */
const withTaps = (a: AxisPlan, J: number): AxisPlan => ({ ...a, J, before: a.before - (a.J - J) });

function conv2DBackpropInputNHWC(scope: KernelScope, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const heap = heapOf(scope, Conv2DBackpropInput);
  const { inShape, filterHeight, filterWidth, inChannels } = info;
  const h = planAxis(info.inHeight, info.outHeight, filterHeight, info.strideHeight, info.padInfo.top);
  const w = planAxis(info.inWidth, info.outWidth, filterWidth, info.strideWidth, info.padInfo.left);
  const conv = (x: TensorInfo, f: TensorInfo, pad: number[][]) =>
    scope.run('Conv2D', { x, filter: f }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] });

  if (inChannels < conv2DBackpropInputTuning.col2imBelowChannels) {
    // dx patches = dy · Wᵀ ([rows, Co]·[Co, kH·kW·Ci]), added back onto the input pixels.
    const rows = info.batchSize * info.outHeight * info.outWidth;
    const cols = scope.run(
      'BatchMatMul',
      { a: scope.reshape(dy, [rows, info.outChannels]), b: scope.reshape(filter, [-1, info.outChannels]) },
      { transposeA: false, transposeB: true },
    );
    return scope.adopt(col2im(heap, cols, info));
  }
  if ((h.s > 1 || w.s > 1) && conv2DBackpropInputTuning.phaseConvs(filterHeight, filterWidth, h.s, w.s, inChannels)) {
    const grid: Array<Array<TensorInfo | null>> = [];
    for (let ph = 0; ph < h.s; ph++) {
      const row: Array<TensorInfo | null> = [];
      for (let pw = 0; pw < w.s; pw++) {
        const [jh, jw] = [phaseTaps(h, ph), phaseTaps(w, pw)];
        if (jh === 0 || jw === 0) {
          row.push(null); // no tap reaches this phase: its gradient is zero
          continue;
        }
        const [win, pad] = windowDy(scope, dy, withTaps(h, jh), withTaps(w, jw));
        row.push(conv(win, scope.adopt(flipIntoPhases(heap, filter, h, w, [ph, pw])), pad)); // [N, Qh, Qw, Ci]
      }
      grid.push(row);
    }
    return scope.adopt(interleavePhaseList(heap, grid, inShape, h.crop, w.crop));
  }

  const [win, pad] = windowDy(scope, dy, h, w);
  const out = conv(win, scope.adopt(flipIntoPhases(heap, filter, h, w)), pad); // [N, Qh, Qw, sH·sW·Ci]
  if (h.s === 1 && w.s === 1 && h.crop === 0 && w.crop === 0 && h.Q === info.inHeight && w.Q === info.inWidth) {
    return out;
  }
  const phases = scope.reshape(out, [info.batchSize, h.Q, w.Q, h.s, w.s, inChannels]);
  return scope.adopt(interleavePhases(heap, phases, inShape, h.crop, w.crop));
}

/**
 * `Conv2DBackpropInput` (the input gradient of `conv2d`, and the forward pass of `conv2dTranspose`)
 * as ONE stride-1 `Conv2D` of `dy` with the flipped filter split into stride phases (see
 * `conv-phases.ts`), then one interleaving copy. The wasm backend's own kernel is a scalar loop
 * ≈5–10× slower than its XNNPACK `Conv2D`; dilating `dy` with zeros instead would spend `s²`× the
 * FLOPs on zeros.
 *
 * @example
 * ```ts
 * registerKernel(conv2DBackpropInputKernel('wasm'));
 * ```
 */
export function conv2DBackpropInputKernel(backendName: string): KernelConfig {
  return defineKernel(Conv2DBackpropInput, backendName, ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
    return runScoped(backend, backendName, (scope) => {
      const nchw = dataFormat === 'NCHW';
      const [n, a, b, c] = inputShape;
      const nhwcShape: [number, number, number, number] = nchw ? [n, b, c, a] : inputShape;
      const fShape = filter.shape as [number, number, number, number];
      const info = backend_util.computeConv2DInfo(nhwcShape, fShape, strides, 1, pad, dimRoundingMode);
      const dyNHWC = nchw ? scope.transpose(dy, [0, 2, 3, 1]) : dy;
      const dx = conv2DBackpropInputNHWC(scope, dyNHWC, filter, info);
      return nchw ? scope.transpose(dx, [0, 3, 1, 2]) : dx;
    });
  });
}

/**
 * `DepthwiseConv2dNativeBackpropInput` by the same phase decomposition as
 * {@link conv2DBackpropInputKernel}: one `DepthwiseConv2dNative` with channel multiplier `sH·sW` (one
 * output per phase), then one pass that interleaves the phases and, for a channel multiplier `m > 1`,
 * sums the `m` outputs each input channel fed.
 *
 * @example
 * ```ts
 * registerKernel(depthwiseBackpropInputKernel('wasm'));
 * ```
 */
export function depthwiseBackpropInputKernel(backendName: string): KernelConfig {
  return defineKernel(DepthwiseConv2dNativeBackpropInput, backendName, ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseConv2dNativeBackpropInputAttrs;
    assertNoDilation(dilations, DepthwiseConv2dNativeBackpropInput);
    return runScoped(backend, backendName, (scope) => {
      const heap = heapOf(scope, DepthwiseConv2dNativeBackpropInput);
      const fShape = filter.shape as [number, number, number, number];
      const info = backend_util.computeConv2DInfo(inputShape, fShape, strides, 1, pad, dimRoundingMode, true);
      const [, , channels, mult] = fShape;
      const h = planAxis(info.inHeight, info.outHeight, info.filterHeight, info.strideHeight, info.padInfo.top);
      const w = planAxis(info.inWidth, info.outWidth, info.filterWidth, info.strideWidth, info.padInfo.left);
      const [win, convPad] = windowDy(scope, dy, h, w);
      const out = scope.run(
        'DepthwiseConv2dNative',
        { x: win, filter: scope.adopt(flipDepthwiseIntoPhases(heap, filter, h, w)) },
        { strides: [1, 1], pad: convPad, dilations: [1, 1] },
      ); // [N, Qh, Qw, C·m·sH·sW]
      return scope.adopt(interleaveDepthwisePhases(heap, out, channels, mult, h, w, info.inShape));
    });
  });
}

/**
 * Throws a clear error for dilations other than 1 (tfjs defines no gradient for dilated convolutions
 * either).
 *
 * @example
 * ```ts
 * assertNoDilation([1, 1], 'DepthwiseConv2dNativeBackpropInput');   // fine
 * assertNoDilation(2, 'DepthwiseConv2dNativeBackpropInput');        // throws
 * ```
 */
export function assertNoDilation(dilations: number | [number, number] | undefined, kernel: string): void {
  const d = dilations === undefined ? [1, 1] : typeof dilations === 'number' ? [dilations, dilations] : dilations;
  if (d[0] !== 1 || d[1] !== 1) throw new Error(`${kernel}: dilations other than 1 are not supported (got ${String(dilations)})`);
}
