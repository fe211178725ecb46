import type { TensorInfo } from '@tensorflow/tfjs';
import type { HeapBackend } from './wasm-heap.js';

/**
 * Stride-phase decomposition of a transposed convolution (the input gradient of a strided conv).
 *
 * With stride `s`, input row `h` only receives gradient from filter taps `kh ≡ (h + padBefore) mod s`:
 * the rows split into `s` phases, and phase `p` is a plain stride-1 correlation of `dy` with the taps
 * `p, p + s, p + 2s, …` of the flipped filter. Padding every phase to the same `J = ceil(k / s)` taps
 * lets one convolution compute all phases at once (as extra output channels); interleaving the phases
 * gives the gradient on a grid of `Q·s` rows, from which the `inSize` real rows are cropped.
 * The filter rearrangements and the interleave are JavaScript loops on the wasm heap: the wasm Reverse
 * and rank-6 Transpose kernels took 20–180 ms on filters of 37k–205k floats.
 */
export interface AxisPlan {
  /** Stride of the forward convolution. */
  s: number;
  /** Taps per phase, `ceil(k / s)`. */
  J: number;
  /** Filter taps on this axis. */
  k: number;
  /** Rows of the phase grid. */
  Q: number;
  /** Zero rows to add before / after `dy` for a phase with `J` taps (negative: rows of `dy` to drop). */
  before: number;
  after: number;
  /** First real input row in the interleaved grid. */
  crop: number;
}

/**
 * The phase plan of one spatial axis.
 *
 * @example
 * ```ts
 * planAxis(14, 7, 5, 2, 1);   // { s: 2, J: 3, k: 5, Q: 8, before: 2, after: 1, crop: 1 }
 * ```
 */
export function planAxis(inSize: number, dySize: number, k: number, s: number, padBefore: number): AxisPlan {
  const J = Math.ceil(k / s);
  const q0 = Math.floor(padBefore / s);
  const q1 = Math.floor((inSize - 1 + padBefore) / s);
  return { s, J, k, Q: q1 - q0 + 1, before: J - 1 - q0, after: q1 - (dySize - 1), crop: padBefore - q0 * s };
}

/** Taps of phase `p` on an axis: `ceil((k − p) / s)`, 0 when the filter is shorter than the stride. */
export function phaseTaps(a: AxisPlan, p: number): number {
  return Math.max(0, Math.ceil((a.k - p) / a.s));
}

/**
 * The flipped conv filter `[kH, kW, Ci, Co]` rearranged for the phase convolution(s):
 * - `phase` omitted: `[Jh, Jw, Co, sH·sW·Ci]`, all phases padded to `J` taps with zeros in front;
 * - `phase = [ph, pw]`: `[jh, jw, Co, Ci]` with that phase's own taps only.
 * Entry `(a, b)` holds filter tap `(ph + sH·(J − 1 − a), pw + sW·(J − 1 − b))`.
 *
 * @example
 * ```ts
 * const f = flipIntoPhases(backend, filter, h, w);          // one conv over all phases
 * const f01 = flipIntoPhases(backend, filter, h, w, [0, 1]); // phase (0, 1) alone
 * ```
 */
export function flipIntoPhases(
  backend: HeapBackend,
  filter: TensorInfo,
  h: AxisPlan,
  w: AxisPlan,
  phase?: [number, number],
): TensorInfo {
  const [kH, kW, Ci, Co] = filter.shape as [number, number, number, number];
  const phs = phase ? [phase[0]] : [...Array(h.s).keys()];
  const pws = phase ? [phase[1]] : [...Array(w.s).keys()];
  const Jh = phase ? phaseTaps(h, phase[0]) : h.J;
  const Jw = phase ? phaseTaps(w, phase[1]) : w.J;
  const out = backend.makeOutput([Jh, Jw, Co, phs.length * pws.length * Ci], 'float32');
  const src = backend.typedArrayFromHeap(filter) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  let o = 0;
  for (let a = 0; a < Jh; a++)
    for (let b = 0; b < Jw; b++)
      for (let co = 0; co < Co; co++)
        for (const ph of phs)
          for (const pw of pws) {
            const kh = ph + h.s * (Jh - 1 - a);
            const kw = pw + w.s * (Jw - 1 - b);
            if (kh >= kH || kw >= kW) {
              dst.fill(0, o, o + Ci);
              o += Ci;
              continue;
            }
            for (let ci = 0, s = (kh * kW + kw) * Ci * Co + co; ci < Ci; ci++, s += Co) dst[o++] = src[s]!;
          }
  return out;
}

/**
 * The flipped depthwise filter `[kH, kW, C, m]` as a depthwise filter `[Jh, Jw, C·m, sH·sW]`
 * (channel multiplier `sH·sW`: one output per phase), zero taps in front for shorter phases.
 *
 * @example
 * ```ts
 * const f = flipDepthwiseIntoPhases(backend, filter, h, w);
 * ```
 */
export function flipDepthwiseIntoPhases(backend: HeapBackend, filter: TensorInfo, h: AxisPlan, w: AxisPlan): TensorInfo {
  const [kH, kW, C, m] = filter.shape as [number, number, number, number];
  const CM = C * m;
  const out = backend.makeOutput([h.J, w.J, CM, h.s * w.s], 'float32');
  const src = backend.typedArrayFromHeap(filter) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  let o = 0;
  for (let a = 0; a < h.J; a++)
    for (let b = 0; b < w.J; b++)
      for (let cm = 0; cm < CM; cm++)
        for (let ph = 0; ph < h.s; ph++)
          for (let pw = 0; pw < w.s; pw++) {
            const kh = ph + h.s * (h.J - 1 - a);
            const kw = pw + w.s * (w.J - 1 - b);
            dst[o++] = kh >= kH || kw >= kW ? 0 : src[(kh * kW + kw) * CM + cm]!;
          }
  return out;
}

/**
 * Interleaves and crops the output of the depthwise phase convolution, `[N, Qh, Qw, C·m·sH·sW]`
 * (channel `(c·m + j)·sH·sW + ph·sW + pw`), summing the `m` multiplier channels of each input channel:
 * the `[N, H, W, C]` input gradient.
 *
 * @example
 * ```ts
 * const dx = interleaveDepthwisePhases(backend, out, 3, 2, h, w, [2, 9, 9, 3]);
 * ```
 */
export function interleaveDepthwisePhases(
  backend: HeapBackend,
  phases: TensorInfo,
  channels: number,
  mult: number,
  h: AxisPlan,
  w: AxisPlan,
  outShape: readonly [number, number, number, number],
): TensorInfo {
  const [N, H, W, C] = outShape;
  const S = h.s * w.s;
  const perPixel = channels * mult * S;
  const out = backend.makeOutput([...outShape], 'float32');
  const src = backend.typedArrayFromHeap(phases) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  let o = 0;
  for (let n = 0; n < N; n++)
    for (let y = 0; y < H; y++) {
      const gh = y + h.crop;
      for (let x = 0; x < W; x++, o += C) {
        const gw = x + w.crop;
        const base = ((n * h.Q + Math.floor(gh / h.s)) * w.Q + Math.floor(gw / w.s)) * perPixel + (gh % h.s) * w.s + (gw % w.s);
        for (let c = 0; c < C; c++) {
          let acc = 0;
          for (let j = 0, s = base + c * mult * S; j < mult; j++, s += S) acc += src[s]!;
          dst[o + c] = acc;
        }
      }
    }
  return out;
}

/**
 * Interleaves the stride phases of a transposed convolution and crops them, in one copy: `phases`
 * is `[N, Qh, Qw, sH, sW, C]` (phase grid row `qh·sH + ph`, column `qw·sW + pw`), the result the
 * `[N, H, W, C]` window of that grid starting at row `cropH`, column `cropW`. Each copied run is the
 * `C` channels of one pixel. (The wasm Transpose + Slice pair it replaces copies the data three times.)
 *
 * @example
 * ```ts
 * const dx = interleavePhases(backend, phases, [64, 14, 14, 64], 1, 1);
 * ```
 */
export function interleavePhases(
  backend: HeapBackend,
  phases: TensorInfo,
  outShape: readonly [number, number, number, number],
  cropH: number,
  cropW: number,
): TensorInfo {
  const [, Qh, Qw, sh, sw, C] = phases.shape as [number, number, number, number, number, number];
  const [N, H, W] = outShape;
  const out = backend.makeOutput([...outShape], 'float32');
  const src = backend.typedArrayFromHeap(phases) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  // Strides of the phase tensor, in floats.
  const sPw = C;
  const sPh = sw * C;
  const sQw = sh * sPh;
  const sQh = Qw * sQw;
  const sN = Qh * sQh;
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      const gh = h + cropH;
      const rowBase = n * sN + Math.floor(gh / sh) * sQh + (gh % sh) * sPh;
      for (let w = 0; w < W; w++) {
        const gw = w + cropW;
        const s = rowBase + Math.floor(gw / sw) * sQw + (gw % sw) * sPw;
        if (C >= 16) dst.set(src.subarray(s, s + C), o);
        else for (let c = 0; c < C; c++) dst[o + c] = src[s + c]!;
        o += C;
      }
    }
  }
  return out;
}

/**
 * Like {@link interleavePhases}, with each stride phase in its own `[N, Qh, Qw, C]` tensor:
 * `phases[ph][pw]`, or `null` for a phase no filter tap reaches (written as zeros).
 *
 * @example
 * ```ts
 * const dx = interleavePhaseList(backend, [[p00, p01], [p10, p11]], [64, 14, 14, 64], 1, 1);
 * ```
 */
export function interleavePhaseList(
  backend: HeapBackend,
  phases: Array<Array<TensorInfo | null>>,
  outShape: readonly [number, number, number, number],
  cropH: number,
  cropW: number,
): TensorInfo {
  const sh = phases.length;
  const sw = phases[0]!.length;
  const [N, H, W, C] = outShape;
  const first = phases.flat().find((p) => p !== null);
  const [, Qh, Qw] = (first?.shape ?? [N, 0, 0, C]) as [number, number, number, number];
  const out = backend.makeOutput([...outShape], 'float32');
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const srcs = phases.map((row) => row.map((p) => (p ? (backend.typedArrayFromHeap(p) as Float32Array) : null)));
  const sQw = C;
  const sQh = Qw * C;
  const sN = Qh * sQh;
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      const gh = h + cropH;
      const row = srcs[gh % sh]!;
      const rowBase = n * sN + Math.floor(gh / sh) * sQh;
      for (let w = 0; w < W; w++) {
        const gw = w + cropW;
        const src = row[gw % sw];
        if (!src) {
          dst.fill(0, o, o + C);
        } else {
          const s = rowBase + Math.floor(gw / sw) * sQw;
          if (C >= 16) dst.set(src.subarray(s, s + C), o);
          else for (let c = 0; c < C; c++) dst[o + c] = src[s + c]!;
        }
        o += C;
      }
    }
  }
  return out;
}
