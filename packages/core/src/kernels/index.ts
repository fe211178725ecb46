/**
 * Kernels that tfjs backends lack for training (wasm 4.22: Conv2DBackpropFilter, UnsortedSegmentSum,
 * depthwise backprops…) and faster routes around slow ones (transposed BatchMatMul on wasm).
 *
 * Placeholder: filled in by the wasm-kernels work. Returns the names of the kernels it registered.
 */
export function registerTrainingKernels(_backendName: string): string[] {
  return [];
}
