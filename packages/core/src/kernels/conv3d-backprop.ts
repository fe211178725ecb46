import {
  backend_util,
  Conv3DBackpropFilterV2,
  Conv3DBackpropInputV2,
  type Conv3DBackpropFilterV2Attrs,
  type Conv3DBackpropInputV2Attrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { defineKernel, runScoped } from './kernel-scope.js';
import { isHeapBackend, type HeapBackend } from './wasm-heap.js';

type Shape5 = [number, number, number, number, number];

function heapOf(backend: unknown, kernel: string): HeapBackend {
  if (!isHeapBackend(backend as never)) throw new Error(`${kernel}: needs a backend with a wasm heap (tfjs-backend-wasm)`);
  return backend as HeapBackend;
}

/**
 * 3-D patch matrix `[N·oD·oH·oW, kD·kH·kW·C]` of an NDHWC input (zeros over the padding): the 3-D
 * counterpart of `im2col`, one contiguous `kW·C` run per `(output voxel, kd, kh)` where it fits.
 */
function im2col3d(backend: HeapBackend, x: TensorInfo, info: backend_util.Conv3DInfo): TensorInfo {
  const { batchSize: N, inDepth: D, inHeight: H, inWidth: W, inChannels: C } = info;
  const { outDepth: OD, outHeight: OH, outWidth: OW, filterDepth: KD, filterHeight: KH, filterWidth: KW } = info;
  const { strideDepth: sd, strideHeight: sh, strideWidth: sw } = info;
  const { front, top, left } = info.padInfo;
  const run = KW * C;
  const out = backend.makeOutput([N * OD * OH * OW, KD * KH * run], 'float32');
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  let o = 0;
  for (let n = 0; n < N; n++)
    for (let od = 0; od < OD; od++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const iw0 = ow * sw - left;
          for (let kd = 0; kd < KD; kd++) {
            const id = od * sd - front + kd;
            for (let kh = 0; kh < KH; kh++, o += run) {
              const ih = oh * sh - top + kh;
              if (id < 0 || id >= D || ih < 0 || ih >= H) {
                dst.fill(0, o, o + run);
                continue;
              }
              const rowBase = ((n * D + id) * H + ih) * W;
              for (let kw = 0; kw < KW; kw++) {
                const iw = iw0 + kw;
                const d = o + kw * C;
                if (iw < 0 || iw >= W) dst.fill(0, d, d + C);
                else for (let c = 0, s = (rowBase + iw) * C; c < C; c++) dst[d + c] = src[s + c]!;
              }
            }
          }
        }
  return out;
}

/**
 * `dy` spread onto the zero grid a stride-1 'valid' convolution with the flipped filter reads to
 * produce the input gradient: `dy[od, oh, ow]` lands at `(k − 1 − pad) + o·s` on each axis, in a
 * `[N, D + kD − 1, H + kH − 1, W + kW − 1, C]` tensor.
 */
function dilateAndPad(backend: HeapBackend, dy: TensorInfo, info: backend_util.Conv3DInfo): TensorInfo {
  const { batchSize: N, inDepth: D, inHeight: H, inWidth: W, outChannels: C } = info;
  const { outDepth: OD, outHeight: OH, outWidth: OW, filterDepth: KD, filterHeight: KH, filterWidth: KW } = info;
  const { strideDepth: sd, strideHeight: sh, strideWidth: sw } = info;
  const [Dp, Hp, Wp] = [D + KD - 1, H + KH - 1, W + KW - 1];
  const [d0, h0, w0] = [KD - 1 - info.padInfo.front, KH - 1 - info.padInfo.top, KW - 1 - info.padInfo.left];
  const out = backend.makeOutput([N, Dp, Hp, Wp, C], 'float32');
  const src = backend.typedArrayFromHeap(dy) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  dst.fill(0);
  let s = 0;
  for (let n = 0; n < N; n++)
    for (let od = 0; od < OD; od++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++, s += C) {
          const [pd, ph, pw] = [d0 + od * sd, h0 + oh * sh, w0 + ow * sw];
          if (pd < 0 || pd >= Dp || ph < 0 || ph >= Hp || pw < 0 || pw >= Wp) continue;
          dst.set(src.subarray(s, s + C), (((n * Dp + pd) * Hp + ph) * Wp + pw) * C);
        }
  return out;
}

/**
 * `Conv3DBackpropFilterV2` as a 3-D im2col and one BatchMatMul, `(dyᵀ · patches)ᵀ`. The wasm
 * backend's own kernel is wrong for strides > 1 (it fails `⟨w, ∇w⟩ = Σ conv3d(x, w)·r`).
 *
 * @example
 * ```ts
 * registerKernel(conv3DBackpropFilterKernel('wasm'));
 * ```
 */
export function conv3DBackpropFilterKernel(backendName: string): KernelConfig {
  return defineKernel(Conv3DBackpropFilterV2, backendName, ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, filterShape } = attrs as unknown as Conv3DBackpropFilterV2Attrs;
    const heap = heapOf(backend, Conv3DBackpropFilterV2);
    const info = backend_util.computeConv3DInfo(x.shape as Shape5, filterShape, strides, 1, pad);
    return runScoped(backend, backendName, (scope) => {
      const cols = scope.adopt(im2col3d(heap, x, info)); // [rows, K]
      const rows = cols.shape[0]!;
      const dyT = scope.transpose(scope.reshape(dy, [rows, info.outChannels]), [1, 0]); // [Co, rows]
      return scope.reshape(scope.transpose(scope.matMul(dyT, cols), [1, 0]), filterShape);
    });
  });
}

/**
 * `Conv3DBackpropInputV2` as a stride-1 'valid' wasm `Conv3D` of the zero-dilated, padded `dy` with
 * the flipped, channel-swapped filter. The wasm backend's own kernel is wrong (it fails the adjoint
 * identity `⟨x, ∇x⟩ = Σ conv3d(x, w)·r` even at stride 1). Dilation spends `s³`× the FLOPs on zeros;
 * no family uses 3-D convolutions, so this favours simplicity.
 *
 * @example
 * ```ts
 * registerKernel(conv3DBackpropInputKernel('wasm'));
 * ```
 */
export function conv3DBackpropInputKernel(backendName: string): KernelConfig {
  return defineKernel(Conv3DBackpropInputV2, backendName, ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, inputShape } = attrs as unknown as Conv3DBackpropInputV2Attrs;
    const heap = heapOf(backend, Conv3DBackpropInputV2);
    const info = backend_util.computeConv3DInfo(inputShape, filter.shape as Shape5, strides, 1, pad);
    return runScoped(backend, backendName, (scope) => {
      const grid = scope.adopt(dilateAndPad(heap, dy, info));
      const flipped = scope.transpose(scope.run('Reverse', { x: filter }, { dims: [0, 1, 2] }), [0, 1, 2, 4, 3]);
      return scope.run('Conv3D', { x: grid, filter: flipped }, { strides: [1, 1, 1], pad: 'valid', dilations: [1, 1, 1], dataFormat: 'NDHWC' });
    });
  });
}
