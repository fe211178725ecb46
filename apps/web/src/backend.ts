/**
 * Starts tfjs in the page with core's `initBackend` (webgpu on a hardware adapter → webgl → wasm →
 * cpu) and hands it the wasm binaries Vite emitted. `?backend=wasm` (or cpu, webgl, webgpu) in the
 * address forces one, as `GENLOOM_BACKEND` does in Node.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendInfo, type BackendPreference } from '@genloom/core';
import wasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

const BROWSER_BACKENDS: readonly BackendPreference[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** The backend asked for in the address (`?backend=`), or `auto`. */
export function requestedBackend(search = location.search): BackendPreference {
  const wanted = new URLSearchParams(search).get('backend') ?? 'auto';
  if (!BROWSER_BACKENDS.includes(wanted as BackendPreference)) {
    throw new Error(`?backend=${wanted} is not a browser backend; use one of ${BROWSER_BACKENDS.join(', ')}`);
  }
  return wanted as BackendPreference;
}

let started: Promise<BackendInfo> | null = null;

/**
 * The backend, started once per page.
 *
 * @example
 * ```ts
 * const info = await backend(); info.backend; // 'webgl', 'wasm'…
 * ```
 */
export function backend(): Promise<BackendInfo> {
  started ??= initBackend(requestedBackend(), {
    wasmPaths: { 'tfjs-backend-wasm.wasm': wasm, 'tfjs-backend-wasm-simd.wasm': simd, 'tfjs-backend-wasm-threaded-simd.wasm': threaded },
  }).then((info) => {
    // What tfjs itself runs on, next to what genloom reports, so the page shows the real thing.
    document.documentElement.dataset.tfjsBackend = tf.getBackend();
    return info;
  });
  return started;
}
