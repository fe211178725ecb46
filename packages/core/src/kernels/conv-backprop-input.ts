import {
  backend_util,
  Conv2DBackpropInput,
  DepthwiseConv2dNativeBackpropInput,
  type Conv2DBackpropInputAttrs,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { defineKernel, runScoped, type KernelScope } from './kernel-scope.js';
import { interleavePhaseList, interleavePhases, isHeapBackend, type HeapBackend } from './wasm-heap.js';

/**
 * How one spatial axis of the input gradient is produced by a stride-1 convolution over `dy`.
 *
 * With stride `s`, input row `h` only receives gradient from filter taps `kh ≡ (h + padBefore) mod s`:
 * the rows split into `s` phases, and phase `p` is a plain correlation of `dy` with the taps
 * `p, p + s, p + 2s, …` of the flipped filter. Padding every phase to the same `J = ceil(k / s)` taps
 * lets one convolution compute all phases at once (as extra output channels); interleaving the phases
 * gives the gradient on a grid of `Q·s` rows, from which the `inSize` real rows are cropped.
 */
interface AxisPlan {
  /** Stride of the forward convolution. */
  s: number;
  /** Taps per phase, `ceil(k / s)`. */
  J: number;
  /** Rows of the phase grid. */
  Q: number;
  /** Zero rows to add before / after `dy` (negative: rows of `dy` to drop). */
  before: number;
  after: number;
  /** First real input row in the interleaved grid. */
  crop: number;
}

function planAxis(inSize: number, dySize: number, k: number, s: number, padBefore: number): AxisPlan {
  const J = Math.ceil(k / s);
  const q0 = Math.floor(padBefore / s);
  const q1 = Math.floor((inSize - 1 + padBefore) / s);
  return { s, J, Q: q1 - q0 + 1, before: J - 1 - q0, after: q1 - (dySize - 1), crop: padBefore - q0 * s };
}

/** Drops the rows of `dy` a negative pad asks to drop; returns the non-negative pads left. */
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

/**
 * Rearranges a filter `[kH, kW, …rest]` into its phase taps: pads each spatial axis to `J·s` taps,
 * splits it into `[J, s]` and flips the `J` axis. Returns `[J_h, s_h, J_w, s_w, …rest]`.
 */
function phaseTaps(scope: KernelScope, filter: TensorInfo, h: AxisPlan, w: AxisPlan): TensorInfo {
  const [kh, kw, ...rest] = filter.shape as number[];
  const padded = scope.pad(filter, [
    [0, h.J * h.s - kh!],
    [0, w.J * w.s - kw!],
    ...rest.map((): [number, number] => [0, 0]),
  ]);
  const split = scope.reshape(padded, [h.J, h.s, w.J, w.s, ...rest]);
  return scope.run('Reverse', { x: split }, { dims: [0, 2] });
}

/**
 * Puts the phase outputs in place: `phases` has axes `[N, Qh, Qw, C]` and the two phase axes `sH`, `sW`
 * somewhere (described by `perm`, which must bring them to `[N, Qh, sH, Qw, sW, C]`); the result is the
 * `[N, inH, inW, C]` gradient.
 */
function interleaveAndCrop(
  scope: KernelScope,
  phases: TensorInfo,
  perm: number[],
  h: AxisPlan,
  w: AxisPlan,
  inShape: readonly number[],
): TensorInfo {
  const [n, inH, inW, c] = inShape as [number, number, number, number];
  const strided = h.s > 1 || w.s > 1;
  // With stride 1 the phase axes have size 1 and the transpose would be a plain copy.
  const ordered = strided ? scope.transpose(phases, perm) : phases;
  const grid = scope.reshape(ordered, [n, h.Q * h.s, w.Q * w.s, c]);
  return scope.slice(grid, [0, h.crop, w.crop, 0], [n, inH, inW, c]);
}

function conv2DBackpropInputNHWC(
  scope: KernelScope,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { inShape, filterHeight, filterWidth, inChannels, outChannels } = info;
  const h = planAxis(info.inHeight, info.outHeight, filterHeight, info.strideHeight, info.padInfo.top);
  const w = planAxis(info.inWidth, info.outWidth, filterWidth, info.strideWidth, info.padInfo.left);
  const strided = h.s > 1 || w.s > 1;
  if (strided && isHeapBackend(scope.backend) && conv2DBackpropInputTuning.phaseConvs(filterHeight, filterWidth, h.s, w.s)) {
    return perPhaseConvs(scope, dy, filter, info, h, w);
  }
  // [Jh, sH, Jw, sW, Ci, Co] → [Jh, Jw, Co, sH, sW, Ci] → one filter with sH·sW·Ci output channels.
  const taps = scope.transpose(phaseTaps(scope, filter, h, w), [0, 2, 5, 1, 3, 4]);
  const phaseFilter = scope.reshape(taps, [h.J, w.J, outChannels, h.s * w.s * inChannels]);
  const [win, pad] = windowDy(scope, dy, h, w);
  const out = scope.run(
    'Conv2D',
    { x: win, filter: phaseFilter },
    { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] },
  ); // [N, Qh, Qw, sH·sW·Ci]
  const phases = scope.reshape(out, [info.batchSize, h.Q, w.Q, h.s, w.s, inChannels]);
  if (!strided && h.crop === 0 && w.crop === 0 && h.Q === info.inHeight && w.Q === info.inWidth) {
    return scope.reshape(out, inShape);
  }
  if (isHeapBackend(scope.backend)) {
    // One JavaScript copy on the heap instead of Transpose + Slice (three copies; measured ≈3× slower).
    return scope.adopt(interleavePhases(scope.backend, phases, inShape, h.crop, w.crop));
  }
  return interleaveAndCrop(scope, phases, [0, 1, 3, 2, 4, 5], h, w, inShape);
}

/**
 * One stride-1 convolution per phase with exactly that phase's taps (no zero taps), interleaved on
 * the heap. Costs the forward pass's FLOPs where the single padded convolution costs
 * `(ceil(k/s)·s / k)²` times more (1.44× for k = 5, s = 2), at the price of `sH·sW` smaller convolutions.
 */
function perPhaseConvs(
  scope: KernelScope,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
  h: AxisPlan,
  w: AxisPlan,
): TensorInfo {
  const { filterHeight: kH, filterWidth: kW, inChannels: Ci, outChannels: Co } = info;
  // [Jh, sH, Jw, sW, Ci, Co], flipped taps → [sH, sW, Jh, Jw, Co, Ci]
  const taps = scope.transpose(phaseTaps(scope, filter, h, w), [1, 3, 0, 2, 5, 4]);
  const grid: Array<Array<TensorInfo | null>> = [];
  for (let ph = 0; ph < h.s; ph++) {
    const row: Array<TensorInfo | null> = [];
    for (let pw = 0; pw < w.s; pw++) {
      const jh = Math.max(0, Math.ceil((kH - ph) / h.s));
      const jw = Math.max(0, Math.ceil((kW - pw) / w.s));
      if (jh === 0 || jw === 0) {
        row.push(null);
        continue;
      }
      // Phases with fewer taps have zeros in front of the flipped axis; drop them.
      const f = scope.reshape(scope.slice(taps, [ph, pw, h.J - jh, w.J - jw, 0, 0], [1, 1, jh, jw, Co, Ci]), [jh, jw, Co, Ci]);
      const hp = { ...h, J: jh, before: h.before - (h.J - jh) };
      const wp = { ...w, J: jw, before: w.before - (w.J - jw) };
      const [win, pad] = windowDy(scope, dy, hp, wp);
      row.push(scope.run('Conv2D', { x: win, filter: f }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] }));
    }
    grid.push(row);
  }
  return scope.adopt(interleavePhaseList(scope.backend as HeapBackend, grid, info.inShape, h.crop, w.crop));
}

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
   * one convolution over all phases padded to `ceil(k/s)` taps. Default: when padding would waste
   * FLOPs, i.e. `k` is not a multiple of `s`.
   */
  phaseConvs: (kH: number, kW: number, sH: number, sW: number): boolean => kH % sH !== 0 || kW % sW !== 0,
};

/**
 * `Conv2DBackpropInput` (the input gradient of `conv2d`, and the forward pass of `conv2dTranspose`)
 * as ONE stride-1 `Conv2D` of `dy` with the flipped filter split into stride phases, then an
 * interleave (Transpose) and a crop. The wasm backend's own kernel is a scalar loop ≈10× slower than
 * its XNNPACK `Conv2D`; dilating `dy` with zeros instead would spend `s²`× the FLOPs on zeros.
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
      const nhwcShape = (nchw ? [inputShape[0], inputShape[2], inputShape[3], inputShape[1]] : inputShape) as [
        number,
        number,
        number,
        number,
      ];
      const info = backend_util.computeConv2DInfo(nhwcShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
      const dyNHWC = nchw ? scope.transpose(dy, [0, 2, 3, 1]) : dy;
      const dx = conv2DBackpropInputNHWC(scope, dyNHWC, filter, info);
      return nchw ? scope.transpose(dx, [0, 3, 1, 2]) : dx;
    });
  });
}

/**
 * `DepthwiseConv2dNativeBackpropInput` by the same phase decomposition as
 * {@link conv2DBackpropInputKernel}, with one `DepthwiseConv2dNative` (channel multiplier `sH·sW`)
 * and, for a channel multiplier `m > 1`, a Sum over the `m` outputs each input channel fed.
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
      const fShape = filter.shape as [number, number, number, number];
      const info = backend_util.computeConv2DInfo(inputShape, fShape, strides, 1, pad, dimRoundingMode, true);
      const [, , channels, mult] = fShape;
      const h = planAxis(info.inHeight, info.outHeight, info.filterHeight, info.strideHeight, info.padInfo.top);
      const w = planAxis(info.inWidth, info.outWidth, info.filterWidth, info.strideWidth, info.padInfo.left);
      // [Jh, sH, Jw, sW, C·m] → [Jh, Jw, C·m, sH, sW] → depthwise filter with multiplier sH·sW.
      const flat = scope.reshape(filter, [info.filterHeight, info.filterWidth, channels * mult]);
      const taps = scope.transpose(phaseTaps(scope, flat, h, w), [0, 2, 4, 1, 3]);
      const phaseFilter = scope.reshape(taps, [h.J, w.J, channels * mult, h.s * w.s]);
      const [win, convPad] = windowDy(scope, dy, h, w);
      const out = scope.run(
        'DepthwiseConv2dNative',
        { x: win, filter: phaseFilter },
        { strides: [1, 1], pad: convPad, dilations: [1, 1] },
      ); // [N, Qh, Qw, C·m·sH·sW]
      const n = info.batchSize;
      let phases = out;
      if (mult > 1) {
        const split = scope.reshape(out, [n, h.Q, w.Q, channels, mult, h.s * w.s]);
        const mLast =
          h.s * w.s === 1
            ? scope.reshape(out, [n, h.Q, w.Q, channels, 1, mult])
            : scope.transpose(split, [0, 1, 2, 3, 5, 4]); // [N, Qh, Qw, C, sH·sW, m]
        phases = scope.sum(mLast, [5]);
      }
      const byChannel = scope.reshape(phases, [n, h.Q, w.Q, channels, h.s, w.s]);
      return interleaveAndCrop(scope, byChannel, [0, 1, 4, 2, 5, 3], h, w, info.inShape);
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
