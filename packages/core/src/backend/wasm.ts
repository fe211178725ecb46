/**
 * The `wasm` candidate: `@tensorflow/tfjs-backend-wasm` with SIMD, its binaries loaded from the
 * package's own `dist/` folder, and the threaded build on request.
 */
import * as tf from '@tensorflow/tfjs';
import { importRuntime, errorMessage } from './environment.js';
import { startThreadedWasm } from './wasm-threads-node.js';
import type { WasmSetup } from './types.js';

/** The wasm backend module's functions genloom uses (the static import below types them). */
type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');

/** Options of {@link tryWasm}. */
export interface WasmRequest {
  platform: 'node' | 'browser';
  /** As `InitBackendOptions.wasmPaths`. */
  paths?: string | Record<string, string>;
  /** Threads wanted; 0 leaves the choice to tfjs (one thread in Node). */
  threads: number;
}

/** The package's main file and `dist/` folder in Node, found the way Node itself resolves it. */
async function nodeWasmLocation(): Promise<{ bundleFile: string; distDir: string; loadedFromFile: (m: WasmModule) => boolean }> {
  const { createRequire } = await importRuntime<typeof import('node:module')>('node:module');
  const path = await importRuntime<typeof import('node:path')>('node:path');
  const require = createRequire(import.meta.url);
  const bundleFile = require.resolve('@tensorflow/tfjs-backend-wasm');
  return {
    bundleFile,
    distDir: path.dirname(bundleFile) + path.sep,
    // True when Node loaded the package from that file, false when a bundler inlined a copy.
    loadedFromFile: (m) => (require.cache[bundleFile]?.exports as WasmModule | undefined)?.setWasmPaths === m.setWasmPaths,
  };
}

/**
 * Runs `start` with a global `__dirname` when none exists. The emscripten runtime inside tfjs'
 * Node bundle reads `__dirname`; when an application bundles core and tfjs into one ES module
 * (esbuild, Rollup) that name is gone and the wasm backend throws a ReferenceError. The binaries'
 * location comes from `setWasmPaths`, so the value only has to exist; it is removed afterwards.
 */
async function withDirname<T>(dir: string, start: () => Promise<T>): Promise<T> {
  const g = globalThis as { __dirname?: string };
  if ('__dirname' in g) return start();
  g.__dirname = dir;
  try {
    return await start();
  } finally {
    delete g.__dirname;
  }
}

let setup: WasmSetup | null = null;
let threadsNote: string | undefined;

/**
 * Initialises tfjs' `wasm` backend. The binaries' location must be set before the backend first
 * starts, and so must threads: a second call with other wishes returns the first setup, with a
 * note saying so.
 *
 * @example
 * ```ts
 * const { setup } = await tryWasm({ platform: 'node', threads: 0 });
 * setup; // { simd: true, threads: 1, threadsRequested: false, paths: '…/tfjs-backend-wasm/dist/' }
 * ```
 */
export async function tryWasm(request: WasmRequest): Promise<{ setup: WasmSetup; note?: string }> {
  const wasm: WasmModule = await import('@tensorflow/tfjs-backend-wasm');
  if (setup && tf.findBackend('wasm')) {
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
    const changed = request.threads > 0 && request.threads !== setup.threads;
    const note = changed
      ? `threads are fixed when the wasm backend first starts; still ${setup.threads}`
      : threadsNote;
    return note ? { setup, note } : { setup };
  }

  const where = request.platform === 'node' ? await nodeWasmLocation() : null;
  let paths = 'default';
  if (request.paths !== undefined) {
    wasm.setWasmPaths(request.paths);
    paths = typeof request.paths === 'string' ? request.paths : 'file map';
  } else if (where) {
    wasm.setWasmPaths(where.distDir);
    paths = where.distDir;
  }

  const threadsRequested = request.threads > 1;
  const ok = where
    ? await withDirname(where.distDir, () => startNode(wasm, request.threads, where))
    : await startBrowser(wasm, request.threads);
  if (!ok) throw new Error('tf.setBackend("wasm") returned false (see the warning tfjs printed)');

  setup = {
    simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') as boolean,
    threads: wasm.getThreadsCount(),
    threadsRequested,
    paths,
  };
  if (threadsRequested && setup.threads < request.threads && !threadsNote) {
    threadsNote = `asked for ${request.threads} threads, the backend runs ${setup.threads}`;
  }
  return threadsNote ? { setup, note: threadsNote } : { setup };
}

/** Node: the plain SIMD build, or the threaded one through the workaround when asked for. */
async function startNode(wasm: WasmModule, threads: number, where: Awaited<ReturnType<typeof nodeWasmLocation>>): Promise<boolean> {
  if (threads <= 1) return tf.setBackend('wasm');
  if (!where.loadedFromFile(wasm)) {
    // The workaround hands the workers tfjs' own factory source, which in a bundle refers to the
    // bundler's helpers (esbuild's __require…) that a worker does not have: it would crash there.
    threadsNote = 'threads need @tensorflow/tfjs-backend-wasm loaded from node_modules, not bundled; single-threaded instead';
    return tf.setBackend('wasm');
  }
  let ok: boolean;
  try {
    ok = await startThreadedWasm({
      threads,
      bundleFile: where.bundleFile,
      setThreadsCount: wasm.setThreadsCount,
      start: () => tf.setBackend('wasm'),
    });
    if (!ok) threadsNote = 'the threaded build failed to start (see the warning tfjs printed); single-threaded instead';
  } catch (err) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    ok = false;
    threadsNote = `threads workaround failed (${errorMessage(err)}); single-threaded instead`;
  }
  return ok || tf.setBackend('wasm');
}

/** Browser: tfjs picks the threaded build itself when the page is cross-origin isolated. */
async function startBrowser(wasm: WasmModule, threads: number): Promise<boolean> {
  if (threads > 1) wasm.setThreadsCount(threads);
  return tf.setBackend('wasm');
}
