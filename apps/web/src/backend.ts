/**
 * Starts tfjs in the page with core's `initBackend` (webgpu on a hardware adapter → webgl → wasm →
 * cpu) and hands it the wasm binaries Vite emitted. `?backend=wasm` (or cpu, webgl, webgpu) in the
 * address forces one, as `GENLOOM_BACKEND` does in Node.
 *
 * One rule of the site's own: in automatic choice, WebGL on a *software* renderer (SwiftShader,
 * llvmpipe — what Chromium falls back to without a GPU) is passed over for wasm, the way core
 * passes over a software webgpu adapter. Measured in headless Chromium 156 with `--disable-gpu`:
 * the character GPT wrote 1 token/s on SwiftShader WebGL (every new sequence length compiles new
 * shaders) against tens of tokens/s on one wasm thread.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendInfo, type BackendPreference } from '@genloom/core';
import wasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

const BROWSER_BACKENDS: readonly BackendPreference[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;

/** The backend asked for in the address (`?backend=`), or `auto`. */
export function requestedBackend(search = location.search): BackendPreference {
  const wanted = new URLSearchParams(search).get('backend') ?? 'auto';
  if (!BROWSER_BACKENDS.includes(wanted as BackendPreference)) {
    throw new Error(`?backend=${wanted} is not a browser backend; use one of ${BROWSER_BACKENDS.join(', ')}`);
  }
  return wanted as BackendPreference;
}

/** The WebGL renderer's name when it is a software rasteriser, else null. */
export function softwareWebglRenderer(): string | null {
  const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
  if (!gl) return null;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return SOFTWARE_RENDERER.test(renderer) ? renderer : null;
}

/** The backend as the site reports it: core's answer plus the site's own reason, if any. */
export type SiteBackend = BackendInfo & { siteNote?: string };

let started: Promise<SiteBackend> | null = null;

/**
 * The backend, started once per page.
 *
 * @example
 * ```ts
 * const info = await backend(); info.backend; // 'webgl', 'wasm'…
 * ```
 */
export function backend(): Promise<SiteBackend> {
  started ??= (async () => {
    const options = { wasmPaths: { 'tfjs-backend-wasm.wasm': wasm, 'tfjs-backend-wasm-simd.wasm': simd, 'tfjs-backend-wasm-threaded-simd.wasm': threaded } };
    const wanted = requestedBackend();
    let info: SiteBackend = await initBackend(wanted, options);
    if (wanted === 'auto' && info.backend === 'webgl') {
      const software = softwareWebglRenderer();
      if (software) {
        const passedOver = info.candidates;
        const { forcedBy: _forcedBy, ...wasmInfo } = await initBackend('wasm', options);
        info = { ...wasmInfo, forced: false };
        info.siteNote = `webgl passed over: software renderer (${software}), slower than wasm; force it with ?backend=webgl`;
        info.candidates = info.candidates.map((c) => {
          if (c.name === 'webgl') return { ...c, status: 'rejected', available: true, reason: info.siteNote! };
          if (c.status === 'not-tried') return passedOver.find((p) => p.name === c.name && p.status !== 'not-tried') ?? c;
          return c;
        });
      }
    }
    // What tfjs itself runs on, next to what genloom reports, so the page shows the real thing.
    document.documentElement.dataset.tfjsBackend = tf.getBackend();
    return info;
  })();
  return started;
}
