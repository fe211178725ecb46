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
            if (wholeRow) {
              const s = (rowBase + iw0) * C;
              dst.set(src.subarray(s, s + rowLen), o);
            } else {
              for (let kw = 0; kw < KW; kw++) {
                const iw = iw0 + kw * dw;
                const d = o + kw * C;
                if (iw < 0 || iw >= W) dst.fill(0, d, d + C);
                else dst.set(src.subarray((rowBase + iw) * C, (rowBase + iw + 1) * C), d);
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
