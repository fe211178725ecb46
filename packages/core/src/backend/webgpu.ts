/**
 * The `webgpu` candidate. In a browser it uses `navigator.gpu`; in Node it uses Dawn through the
 * optional `webgpu` package, installed as `navigator.gpu` before `@tensorflow/tfjs-backend-webgpu`
 * is imported (that module registers its backend at import time, and only when `navigator.gpu`
 * exists). A software adapter (llvmpipe, SwiftShader…) computes on the CPU far slower than wasm,
 * so automatic choice passes it over; forcing `webgpu` accepts it (that is how CI tests the path).
 */
import * as tf from '@tensorflow/tfjs';
import { importRuntime, describeImportError } from './environment.js';
import type { GpuAdapterSummary } from './types.js';

// Minimal structural types: the DOM lib of TypeScript 5.9 has no WebGPU declarations, and pulling
// in `@webgpu/types` globally would leak them into every package that builds against core.
interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GpuAdapterLike {
  info?: GpuAdapterInfoLike;
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<GpuAdapterInfoLike>;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** A candidate that works but was passed over on purpose; reported as `rejected`, not `failed`. */
export class BackendRejectedError extends Error {
  readonly adapter: GpuAdapterSummary;
  constructor(message: string, adapter: GpuAdapterSummary) {
    super(message);
    this.name = 'BackendRejectedError';
    this.adapter = adapter;
  }
}

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b|\bsoftware\b/i;

/**
 * True when an adapter is a CPU rasteriser: it says so (`isFallbackAdapter`), or its names match
 * llvmpipe / lavapipe / softpipe / SwiftShader / WARP, or its architecture is `software`.
 *
 * @example
 * ```ts
 * isSoftwareAdapter({ vendor: 'mesa', architecture: 'software', device: 'llvmpipe', description: '' }); // true
 * isSoftwareAdapter({ vendor: 'nvidia', architecture: 'ada', device: '', description: 'NVIDIA L4' });   // false
 * ```
 */
export function isSoftwareAdapter(info: GpuAdapterInfoLike, adapterSaysFallback = false): boolean {
  if (adapterSaysFallback || info.isFallbackAdapter === true) return true;
  const names = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  return SOFTWARE_ADAPTER.test(names);
}

async function summarizeAdapter(adapter: GpuAdapterLike): Promise<GpuAdapterSummary> {
  const info: GpuAdapterInfoLike =
    adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo() : {});
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    software: isSoftwareAdapter(info, adapter.isFallbackAdapter === true),
  };
}

/**
 * One line naming an adapter, for reasons and logs.
 *
 * @example
 * ```ts
 * adapterLabel(info.adapter!); // 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1'
 * ```
 */
export function adapterLabel(a: GpuAdapterSummary): string {
  return a.description || [a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || 'unnamed adapter';
}

let dawnGpu: GpuLike | null = null;
let installedNavigator: 'navigator' | 'gpu' | null = null;
let installedGlobals: string[] = [];
let released = false;

/** Dawn's `GPU` object, created once per process, with its `GPU*` constants made global. */
async function nodeGpu(): Promise<GpuLike> {
  if (dawnGpu) return dawnGpu;
  let dawn: DawnModule;
  try {
    dawn = await importRuntime<DawnModule>('webgpu');
  } catch (err) {
    throw new Error(`${describeImportError('webgpu', err)}; Dawn for Node comes from the optional 'webgpu' package`);
  }
  dawnGpu = dawn.create([]);
  // tfjs-backend-webgpu uses GPUBufferUsage, GPUMapMode… as globals, as in a browser.
  const g = globalThis as Record<string, unknown>;
  for (const [key, value] of Object.entries(dawn.globals)) {
    if (!(key in g)) {
      g[key] = value;
      installedGlobals.push(key);
    }
  }
  return dawnGpu;
}

function installNavigatorGpu(gpu: GpuLike): void {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return;
  if (g.navigator == null) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    installedNavigator = 'navigator';
  } else {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
    installedNavigator = 'gpu';
  }
}

/**
 * Initialises tfjs' `webgpu` backend on a hardware adapter (any adapter when `allowSoftware`).
 * Throws `BackendRejectedError` for a software adapter, `Error` when there is no adapter at all.
 *
 * @example
 * ```ts
 * const adapter = await tryWebgpu('node', false); // hardware only
 * tf.getBackend();                                // 'webgpu'
 * ```
 */
export async function tryWebgpu(platform: 'node' | 'browser', allowSoftware: boolean): Promise<GpuAdapterSummary> {
  if (released) throw new Error('released in this process by releaseBackend()');
  const browserGpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  let gpu: GpuLike;
  if (browserGpu) gpu = browserGpu;
  else if (platform === 'node') gpu = await nodeGpu();
  else throw new Error('navigator.gpu is undefined: this browser has no WebGPU (or the page is not a secure context)');

  // tfjs asks for the same adapter (WEBGPU_USE_LOW_POWER_GPU is false by default), so the one
  // checked here is the one it will run on.
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new Error(
      platform === 'node'
        ? 'Dawn found no GPU adapter (no Vulkan/Metal/D3D12 driver; on a CPU-only Linux machine Mesa >= 23 llvmpipe gives a software one: tooling/install-webgpu-deps.sh)'
        : 'navigator.gpu.requestAdapter() returned null',
    );
  }
  const summary = await summarizeAdapter(adapter);
  if (summary.software && !allowSoftware) {
    throw new BackendRejectedError(
      `only a software adapter (${adapterLabel(summary)}), slower than wasm; force it with GENLOOM_BACKEND=webgpu`,
      summary,
    );
  }

  installNavigatorGpu(gpu);
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!tf.findBackendFactory('webgpu')) {
    throw new Error('@tensorflow/tfjs-backend-webgpu registered no backend on this copy of tfjs-core (deduplicate @tensorflow/* packages)');
  }
  if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") returned false (see the warning tfjs printed)');
  return summary;
}

/**
 * Destroys the webgpu device and removes what {@link tryWebgpu} installed on `globalThis`, so that
 * Dawn holds nothing that keeps Node alive. The backend cannot be initialised again afterwards.
 *
 * @example
 * ```ts
 * releaseWebgpu(); // true if a webgpu backend was removed
 * ```
 */
export function releaseWebgpu(): boolean {
  const backend = tf.findBackend('webgpu') as { device?: { destroy?: () => void } } | null;
  const hadBackend = backend != null;
  if (backend) {
    const device = backend.device;
    tf.removeBackend('webgpu');
    device?.destroy?.();
    released = true;
  }
  if (dawnGpu) {
    const g = globalThis as Record<string, unknown> & { navigator?: { gpu?: unknown } };
    if (installedNavigator === 'navigator') delete g.navigator;
    else if (installedNavigator === 'gpu' && g.navigator) delete g.navigator.gpu;
    for (const key of installedGlobals) delete g[key];
    installedNavigator = null;
    installedGlobals = [];
    dawnGpu = null;
    released = true;
  }
  return hadBackend;
}
