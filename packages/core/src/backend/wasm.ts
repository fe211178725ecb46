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
async function nodeWasmLocation(): Promise<{ bundleFile: string; distDir: string }> {
  const { createRequire } = await importRuntime<typeof import('node:module')>('node:module');
  const path = await importRuntime<typeof import('node:path')>('node:path');
  const bundleFile = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  return { bundleFile, distDir: path.dirname(bundleFile) + path.sep };
}

let setup: WasmSetup | null = null;
let threadsNote: string | undefined;

/**
 * Initialises tfjs' `wasm` backend. The binaries' location must be set before the backend first
 * starts, and so must threads: a second call with other wishes returns the first setup, with a
 * note saying so.
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

  let paths = 'default';
  let bundleFile: string | undefined;
  if (request.paths !== undefined) {
    wasm.setWasmPaths(request.paths);
    paths = typeof request.paths === 'string' ? request.paths : 'file map';
  } else if (request.platform === 'node') {
    const where = await nodeWasmLocation();
    wasm.setWasmPaths(where.distDir);
    paths = where.distDir;
    bundleFile = where.bundleFile;
  }

  const threadsRequested = request.threads > 1;
  let ok: boolean;
  if (threadsRequested && request.platform === 'node') {
    bundleFile ??= (await nodeWasmLocation()).bundleFile;
    try {
      ok = await startThreadedWasm({
        threads: request.threads,
        bundleFile,
        setThreadsCount: wasm.setThreadsCount,
        start: () => tf.setBackend('wasm'),
      });
      if (!ok) threadsNote = 'the threaded build failed to start (see the warning tfjs printed); single-threaded instead';
    } catch (err) {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      ok = false;
      threadsNote = `threads workaround failed (${errorMessage(err)}); single-threaded instead`;
    }
    if (!ok) ok = await tf.setBackend('wasm');
  } else {
    // In a browser tfjs picks the threaded build itself when the page is cross-origin isolated.
    if (threadsRequested) wasm.setThreadsCount(request.threads);
    ok = await tf.setBackend('wasm');
  }
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
