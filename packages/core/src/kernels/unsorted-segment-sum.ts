import {
  UnsortedSegmentSum,
  type KernelConfig,
  type TensorInfo,
  type UnsortedSegmentSumAttrs,
} from '@tensorflow/tfjs';
import { defineKernel, runScoped, type KernelScope } from './kernel-scope.js';
import { isHeapBackend } from './wasm-heap.js';

/**
 * `UnsortedSegmentSum` (the gradient of `gather`, hence of every embedding lookup) as one wasm
 * `ScatterNd`: `out[ids[i]] += x[i]`, adding duplicate ids. Its cost is one pass over `x` plus zeroing
 * the output, where a one-hot matrix product costs `numSegments` times more FLOPs.
 *
 * The wasm ScatterNd does not bounds-check its indices (an id out of range writes outside the output),
 * so ids are checked first: on the wasm heap by a read of the id vector; if any id lies outside
 * `[0, numSegments)` those rows are sent to row 0 with their updates multiplied by zero, which drops
 * them as TensorFlow does.
 *
 * `segmentIds` may have any rank `r`; it must match the first `r` axes of `x`.
 *
 * @example
 * ```ts
 * registerKernel(unsortedSegmentSumKernel('wasm'));
 * const dTable = tf.grad((t) => tf.gather(t, ids).sum())(table);
 * ```
 */
export function unsortedSegmentSumKernel(backendName: string): KernelConfig {
  return defineKernel(UnsortedSegmentSum, backendName, ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
    return runScoped(backend, backendName, (scope) => {
      const idRank = segmentIds.shape.length;
      const rows = segmentIds.shape.reduce((p, d) => p * d, 1);
      const rest = x.shape.slice(idRank);
      let ids = scope.reshape(scope.cast(segmentIds, 'int32'), [rows]);
      let updates = scope.reshape(x, [rows, ...rest]);
      if (!idsInRange(scope, ids, numSegments)) {
        const valid = scope.run('LogicalAnd', {
          a: scope.run('GreaterEqual', { a: ids, b: scope.fill([], 0, 'int32') }),
          b: scope.run('Less', { a: ids, b: scope.fill([], numSegments, 'int32') }),
        });
        ids = scope.run('Select', { condition: valid, t: ids, e: scope.fill([rows], 0, 'int32') });
        const keep = scope.reshape(scope.cast(valid, x.dtype), [rows, ...rest.map(() => 1)]);
        updates = scope.run('Multiply', { a: updates, b: keep });
      }
      const indices = scope.reshape(ids, [rows, 1]);
      return scope.run('ScatterNd', { indices, updates }, { shape: [numSegments, ...rest] });
    });
  });
}

/** True when every id is known to lie in `[0, n)` (read from the wasm heap; unknown elsewhere). */
function idsInRange(scope: KernelScope, ids: TensorInfo, n: number): boolean {
  if (!isHeapBackend(scope.backend)) return false;
  const view = scope.backend.typedArrayFromHeap(ids);
  for (let i = 0; i < view.length; i++) {
    const id = view[i]!;
    if (id < 0 || id >= n) return false;
  }
  return true;
}
