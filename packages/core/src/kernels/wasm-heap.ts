import type { backend_util, DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs';

/**
 * The part of tfjs-backend-wasm's `BackendWasm` that data-movement helpers use: allocate an output on
 * the wasm heap and view a tensor's bytes there. The wasm backend's own Concat and Slice kernels are
 * written the same way (JavaScript copies on the heap).
 */
export interface HeapBackend extends KernelBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Whether `backend` keeps its tensors on a wasm heap that {@link im2col} and {@link takeAlongFirstAxis}
 * can read and write.
 *
 * @example
 * ```ts
 * if (!isHeapBackend(backend)) throw new Error('im2col needs the wasm backend');
 * ```
 */
export function isHeapBackend(backend: KernelBackend): backend is HeapBackend {
  const b = backend as Partial<HeapBackend>;
  return typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function';
}

/**
 * Patch matrix of a 2-D convolution ("im2col"): for the examples `[n0, n0 + count)` of the NHWC input
 * `x`, a `[count·outH·outW, kH·kW·inC]` float32 tensor whose row `(n, oh, ow)` holds the input
 * window that output pixel reads, in `(kh, kw, c)` order, zeros where the window hangs over the
 * padding. A convolution's filter gradient is then one matrix product with `dy`.
 *
 * This is pure data movement, done as JavaScript copies of contiguous `kW·inC` runs on the wasm heap:
 * the wasm backend's Slice, StridedSlice and GatherV2 kernels measured 6–100 M elements/s on this
 * job (Slice copies its whole input per call), which made patch extraction through them slower than
 * the matrix product it feeds.
 *
 * @example
 * ```ts
 * const info = backend_util.computeConv2DInfo(x.shape, filterShape, 2, 1, 'same');
 * const cols = im2col(backend, x, info, 0, info.batchSize);   // [N·OH·OW, KH·KW·C]
 * ```
 */
export function im2col(
  backend: HeapBackend,
  x: TensorInfo,
  info: backend_util.Conv2DInfo,
  n0: number,
  count: number,
): TensorInfo {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const rowLen = KW * C;
  const out = backend.makeOutput([count * OH * OW, KH * rowLen], 'float32');
  // Views are taken after the allocation: growing the wasm memory detaches older views.
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  let o = 0;
  for (let n = n0; n < n0 + count; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * sw - left;
        const wholeRow = dw === 1 && iw0 >= 0 && iw0 + KW <= W;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - top + kh * dh;
          if (ih < 0 || ih >= H) {
            dst.fill(0, o, o + rowLen);
          } else {
            const rowBase = (n * H + ih) * W;
            if (wholeRow && rowLen >= 16) {
              const s = (rowBase + iw0) * C;
              dst.set(src.subarray(s, s + rowLen), o);
            } else if (wholeRow) {
              const s = (rowBase + iw0) * C;
              for (let i = 0; i < rowLen; i++) dst[o + i] = src[s + i]!;
            } else {
              for (let kw = 0; kw < KW; kw++) {
                const iw = iw0 + kw * dw;
                const d = o + kw * C;
                if (iw < 0 || iw >= W) dst.fill(0, d, d + C);
                else if (C >= 16) dst.set(src.subarray((rowBase + iw) * C, (rowBase + iw + 1) * C), d);
                else for (let c = 0, s = (rowBase + iw) * C; c < C; c++) dst[d + c] = src[s + c]!;
              }
            }
          }
          o += rowLen;
        }
      }
    }
  }
  return out;
}

/**
 * `x[start : start + count]` along the first axis as a new tensor (one contiguous copy). The wasm
 * Slice kernel first copies its whole input out of the heap, which costs `B` full copies when a
 * batched product is split into its `B` matrices.
 *
 * @example
 * ```ts
 * const a3 = takeAlongFirstAxis(backend, a, 3, 1);   // [1, M, K] from a [B, M, K]
 * ```
 */
export function takeAlongFirstAxis(backend: HeapBackend, x: TensorInfo, start: number, count: number): TensorInfo {
  const inner = x.shape.slice(1).reduce((p, d) => p * d, 1);
  const out = backend.makeOutput([count, ...x.shape.slice(1)], x.dtype);
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  dst.set(src.subarray(start * inner, (start + count) * inner));
  return out;
}

/**
 * Gradient of a 2-D max pool: each window's `dy` goes to the first position holding the window's
 * maximum (row-major scan, as the cpu backend and TensorFlow do), summed where windows overlap.
 *
 * Done as a JavaScript pass over the wasm heap because no wasm kernel gets it right: the backend's
 * MaxPoolGrad disagreed with cpu (relative error 0.1–0.7), its MaxPoolWithArgmax points at the wrong
 * element in ≈1 of 10 windows, and an equality mask of input and pooled output sends gradient to
 * every tied element (common after a ReLU). The work is one comparison per window tap.
 *
 * @example
 * ```ts
 * const info = backend_util.computePool2DInfo(x.shape, 2, 2, 1, 'same');
 * const dx = maxPoolBackprop(backend, x, dy, info);   // same shape as x
 * ```
 */
export function maxPoolBackprop(backend: HeapBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const out = backend.makeOutput([N, H, W, C], 'float32');
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const grad = backend.typedArrayFromHeap(dy) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  dst.fill(0);
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        best.fill(-Infinity);
        where.fill(-1);
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - top + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - left + kw * dw;
            if (iw < 0 || iw >= W) continue;
            const base = ((n * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) {
              const v = src[base + c]!;
              if (v > best[c]!) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < C; c++) {
          const at = where[c]!;
          if (at >= 0) dst[at] = dst[at]! + grad[o + c]!;
        }
        o += C;
      }
    }
  }
  return out;
}

/** {@link im2colTransposed} for few channels: one float at a time, output row by output row. */
function transposedPatchesFewChannels(
  src: Float32Array,
  dst: Float32Array,
  info: backend_util.Conv2DInfo,
  n0: number,
  count: number,
): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const xStrideN = H * W * C;
  const xStrideW = sw * C;
  // Output columns [ow0, ow1) read inside the image for tap kw; the others are padding.
  const firstInside = (kw: number) => Math.max(0, Math.ceil((left - kw * dw) / sw));
  const endInside = (kw: number) => Math.min(OW, Math.floor((W - 1 + left - kw * dw) / sw) + 1);
  let o = 0;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const ow0 = Math.min(OW, firstInside(kw));
      const ow1 = Math.max(ow0, endInside(kw));
      for (let c = 0; c < C; c++) {
        for (let n = n0; n < n0 + count; n++) {
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * sh - top + kh * dh;
            if (ih < 0 || ih >= H) {
              dst.fill(0, o, o + OW);
              o += OW;
              continue;
            }
            let s = n * xStrideN + (ih * W + ow0 * sw - left + kw * dw) * C + c;
            for (let ow = 0; ow < ow0; ow++) dst[o++] = 0;
            for (let ow = ow0; ow < ow1; ow++) {
              dst[o++] = src[s]!;
              s += xStrideW;
            }
            for (let ow = ow1; ow < OW; ow++) dst[o++] = 0;
          }
        }
      }
    }
  }
}


/**
 * The transposed patch matrix: `[kH·kW·inC, count·outH·outW]`, row `(kh, kw, c)` holding that tap's
 * input value for every output pixel (zeros over the padding). With it the filter gradient is
 * `colsᵀ · dy` without transposing `dy` or the result, and XNNPACK packs the small `dy` as weights.
 *
 * @example
 * ```ts
 * const colsT = im2colTransposed(backend, x, info, 0, info.batchSize);   // [KH·KW·C, N·OH·OW]
 * ```
 */
export function im2colTransposed(
  backend: HeapBackend,
  x: TensorInfo,
  info: backend_util.Conv2DInfo,
  n0: number,
  count: number,
): TensorInfo {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const rows = count * OH * OW;
  const out = backend.makeOutput([KH * KW * C, rows], 'float32');
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  if (C < 16) {
    transposedPatchesFewChannels(src, dst, info, n0, count);
    return out;
  }
  // Tiles of TILE output pixels × C channels: read C-float runs, write TILE-float runs per channel.
  const TILE = 64;
  const tile = new Float32Array(TILE * C);
  const pixel = new Int32Array(TILE); // source offset of each pixel of the tile for the current tap, or -1
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const len = Math.min(TILE, rows - r0);
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        for (let i = 0; i < len; i++) {
          const r = r0 + i;
          const ow = r % OW;
          const oh = Math.floor(r / OW) % OH;
          const n = n0 + Math.floor(r / (OW * OH));
          const ih = oh * sh - top + kh * dh;
          const iw = ow * sw - left + kw * dw;
          pixel[i] = ih < 0 || ih >= H || iw < 0 || iw >= W ? -1 : ((n * H + ih) * W + iw) * C;
        }
        for (let i = 0; i < len; i++) {
          const s = pixel[i]!;
          if (s < 0) tile.fill(0, i * C, (i + 1) * C);
          else tile.set(src.subarray(s, s + C), i * C);
        }
        const rowOfTap = (kh * KW + kw) * C;
        for (let c = 0; c < C; c++) {
          let d = (rowOfTap + c) * rows + r0;
          for (let i = 0, t = c; i < len; i++, t += C) dst[d++] = tile[t]!;
        }
      }
    }
  }
  return out;
}

/**
 * `tf.tile` on the heap: each input row is copied once and every repetition is made with
 * `copyWithin` (memmove) of the block already written. The wasm Tile kernel walks the output element
 * by element (a [64, 64] mask broadcast to [32, 4, 64, 64] for attention took ≈200 ms).
 *
 * @example
 * ```ts
 * const big = tileOnHeap(backend, mask, [32, 4, 1, 1]);   // mask [1, 1, 64, 64]
 * ```
 */
export function tileOnHeap(backend: HeapBackend, x: TensorInfo, reps: readonly number[]): TensorInfo {
  const shape = x.shape;
  const r = shape.length;
  const outShape = shape.map((d, i) => d * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  if (r === 0) {
    dst.set(src);
    return out;
  }
  // Floats in one input / output block below axis i.
  const inBlock = new Array<number>(r + 1).fill(1);
  const outBlock = new Array<number>(r + 1).fill(1);
  for (let i = r - 1; i >= 0; i--) {
    inBlock[i] = inBlock[i + 1]! * shape[i]!;
    outBlock[i] = outBlock[i + 1]! * outShape[i]!;
  }
  const fill = (axis: number, inOff: number, outOff: number): void => {
    const d = shape[axis]!;
    if (axis === r - 1) {
      dst.set(src.subarray(inOff, inOff + d), outOff);
    } else {
      for (let i = 0; i < d; i++) fill(axis + 1, inOff + i * inBlock[axis + 1]!, outOff + i * outBlock[axis + 1]!);
    }
    const len = d * outBlock[axis + 1]!;
    for (let k = 1; k < reps[axis]!; k++) dst.copyWithin(outOff + k * len, outOff, outOff + len);
  };
  if (outBlock[0]! > 0) fill(0, 0, 0);
  return out;
}

/**
 * `tf.slice` on the heap: copies the contiguous runs of the window straight from the heap view. The
 * wasm Slice kernel first copies its whole input out of the heap (`readSync`), so taking one time
 * step of a `[B, T, C]` sequence cost a copy of all `T` steps.
 *
 * @example
 * ```ts
 * const step = sliceOnHeap(backend, seq, [0, t, 0], [32, 1, 64]);
 * ```
 */
export function sliceOnHeap(backend: HeapBackend, x: TensorInfo, begin: readonly number[], size: readonly number[]): TensorInfo {
  const shape = x.shape;
  const r = shape.length;
  const out = backend.makeOutput([...size], x.dtype);
  const total = size.reduce((p, d) => p * d, 1);
  if (total === 0) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const strides = new Array<number>(r).fill(1);
  for (let i = r - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  // Axes from `inner` on form one contiguous run (full extent below the first partial axis).
  let inner = r - 1;
  while (inner > 0 && size[inner] === shape[inner]) inner--;
  const run = size.slice(inner).reduce((p, d) => p * d, 1);
  const idx = new Array<number>(inner).fill(0);
  let base = begin.reduce((p, b, i) => p + b * strides[i]!, 0);
  for (let o = 0; o < total; o += run) {
    dst.set(src.subarray(base, base + run), o);
    for (let k = inner - 1; k >= 0; k--) {
      idx[k]!++;
      base += strides[k]!;
      if (idx[k]! < size[k]!) break;
      base -= strides[k]! * size[k]!;
      idx[k] = 0;
    }
  }
  return out;
}

/**
 * The inverse of {@link im2col} ("col2im"): adds each patch row `(n, oh, ow)` of `cols`
 * (`[N·outH·outW, kH·kW·inC]`) back onto the input pixels it was read from, giving the `[N, H, W, C]`
 * input gradient when `cols = dy · Wᵀ`. Taps over the padding are dropped.
 *
 * @example
 * ```ts
 * const dx = col2im(backend, cols, info);   // same shape as the conv input
 * ```
 */
export function col2im(backend: HeapBackend, cols: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const out = backend.makeOutput([N, H, W, C], 'float32');
  const src = backend.typedArrayFromHeap(cols) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  dst.fill(0);
  let s = 0;
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - top + kh * dh;
          if (ih < 0 || ih >= H) {
            s += KW * C;
            continue;
          }
          for (let kw = 0; kw < KW; kw++, s += C) {
            const iw = ow * sw - left + kw * dw;
            if (iw < 0 || iw >= W) continue;
            for (let c = 0, d = ((n * H + ih) * W + iw) * C; c < C; c++) dst[d + c] = dst[d + c]! + src[s + c]!;
          }
        }
  return out;
}
