/**
 * Opt-in: the threaded wasm build in Node (`GENLOOM_WASM_THREADS=1`).
 *
 * tfjs 4.22 reports `WASM_HAS_MULTITHREAD_SUPPORT = false` in Node, and forcing it on fails with
 * `ERR_WORKER_PATH`: the emscripten runtime starts its pthread workers from `blob:` URLs, which
 * Node's `worker_threads` refuses. While the backend starts, this module
 *  1. records the text of the two scripts tfjs puts in Blobs (the worker script, and the module
 *     factory that each worker evaluates) and writes them to files under the temporary directory,
 *     handing out file paths where tfjs asked for object URLs or posted the Blob to a worker;
 *  2. prefixes the factory with the bundle-level `require('fs')`… variables it refers to, which
 *     exist in tfjs' Node bundle but not in the worker's global scope;
 *  3. reports twice the wanted thread count as the number of cores, because the C++ side caps its
 *     thread pool at half the cores it is told about (1 on a 2-core machine).
 * Everything is restored as soon as the backend has started; the workers are then `unref()`ed so
 * they do not keep the process alive.
 */
import * as tf from '@tensorflow/tfjs';
import { importRuntime } from './environment.js';

type Fs = typeof import('node:fs');
type Os = typeof import('node:os');
type WorkerThreads = typeof import('node:worker_threads');

interface NodeModules {
  fs: Fs;
  os: Os;
  path: typeof import('node:path');
  crypto: typeof import('node:crypto');
  workerThreads: WorkerThreads;
}

async function nodeModules(): Promise<NodeModules> {
  const [fs, os, path, crypto, workerThreads] = await Promise.all([
    importRuntime<{ default: Fs }>('node:fs'),
    importRuntime<{ default: Os }>('node:os'),
    importRuntime<{ default: typeof import('node:path') }>('node:path'),
    importRuntime<{ default: typeof import('node:crypto') }>('node:crypto'),
    importRuntime<{ default: WorkerThreads }>('node:worker_threads'),
  ]);
  // The default exports are the CommonJS objects that tfjs' bundle `require`s, so patches on
  // them are seen there.
  return { fs: fs.default, os: os.default, path: path.default, crypto: crypto.default, workerThreads: workerThreads.default };
}

/**
 * Reads `var require$$0 = require('fs');`… from the top of tfjs-backend-wasm's Node bundle: the
 * factory's source names those variables, so the worker must define them the same way.
 */
function bundlePrelude(fs: Fs, bundleFile: string): string {
  const source = fs.readFileSync(bundleFile, 'utf8').slice(0, 4000);
  const requires = [...source.matchAll(/^var (require\$\$\d+) = require\('([^']+)'\);$/gm)];
  if (requires.length === 0) {
    throw new Error(`${bundleFile} is not the tfjs-backend-wasm Node bundle this workaround knows (no require$$N lines)`);
  }
  const vars = requires.map(([, name, module]) => `${name}=require(${JSON.stringify(module)})`);
  return `var ${vars.join(',')};var commonjsGlobal=globalThis;\n`;
}

/** What {@link startThreadedWasm} needs from the caller. */
export interface ThreadedWasmStart {
  threads: number;
  /** The resolved `@tensorflow/tfjs-backend-wasm` main file (its Node bundle). */
  bundleFile: string;
  setThreadsCount: (n: number) => void;
  /** Starts the backend (`tf.setBackend('wasm')`) while the workarounds are in place. */
  start: () => Promise<boolean>;
}

/**
 * Starts the wasm backend with its threaded build in Node. Resolves to `tf.setBackend`'s result;
 * on `false` the caller may start the single-threaded build (the multithread flag is reset).
 *
 * @example
 * ```ts
 * const wasm = await import('@tensorflow/tfjs-backend-wasm');
 * const ok = await startThreadedWasm({
 *   threads: 2, bundleFile: require.resolve('@tensorflow/tfjs-backend-wasm'),
 *   setThreadsCount: wasm.setThreadsCount, start: () => tf.setBackend('wasm'),
 * });
 * wasm.getThreadsCount(); // 2
 * ```
 */
export async function startThreadedWasm({ threads, bundleFile, setThreadsCount, start }: ThreadedWasmStart): Promise<boolean> {
  const { fs, os, path, crypto, workerThreads } = await nodeModules();
  const prelude = bundlePrelude(fs, bundleFile);
  const dir = path.join(os.tmpdir(), `genloom-wasm-threads-${tf.version_core}`);
  fs.mkdirSync(dir, { recursive: true });

  /** Writes a script once per content (named by its hash) and returns its absolute path. */
  const scriptFile = (text: string): string => {
    const body = text.startsWith('var WasmBackendModuleThreadedSimd') ? prelude + text : text;
    const file = path.join(dir, `${crypto.createHash('sha256').update(body).digest('hex').slice(0, 16)}.cjs`);
    if (!fs.existsSync(file)) {
      const partial = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(partial, body);
      fs.renameSync(partial, file); // atomic: a concurrent process never reads half a file
    }
    return file;
  };

  const texts = new WeakMap<Blob, string>();
  const OriginalBlob = globalThis.Blob;
  class RecordingBlob extends OriginalBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts?.every((p) => typeof p === 'string')) texts.set(this, parts.join(''));
    }
  }
  const originalCreateObjectURL = URL.createObjectURL;
  const WorkerClass = workerThreads.Worker;
  const originalPostMessage = WorkerClass.prototype.postMessage;
  const originalCpus = os.cpus;
  const workers = new Set<import('node:worker_threads').Worker>();

  globalThis.Blob = RecordingBlob;
  URL.createObjectURL = (obj: Blob | MediaSource) => {
    const text = texts.get(obj as Blob);
    return text === undefined ? originalCreateObjectURL(obj as Blob) : scriptFile(text);
  };
  WorkerClass.prototype.postMessage = function (this: import('node:worker_threads').Worker, message: unknown, ...rest: unknown[]) {
    workers.add(this);
    const m = message as { urlOrBlob?: unknown } | null;
    const text = m && m.urlOrBlob instanceof OriginalBlob ? texts.get(m.urlOrBlob) : undefined;
    const sent = text === undefined ? message : { ...m, urlOrBlob: scriptFile(text) };
    return (originalPostMessage as (...a: unknown[]) => void).call(this, sent, ...rest);
  };
  const cores = originalCpus();
  os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => cores[i % cores.length]!);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);

  try {
    const ok = await start();
    if (!ok) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return ok;
  } finally {
    globalThis.Blob = OriginalBlob;
    URL.createObjectURL = originalCreateObjectURL;
    WorkerClass.prototype.postMessage = originalPostMessage;
    os.cpus = originalCpus;
    for (const w of workers) w.unref();
  }
}

/**
 * Terminates the pthread workers of a threaded wasm backend and removes that backend from tfjs
 * (a kernel run after this would wait forever for its threads). No-op for the plain build.
 *
 * @example
 * ```ts
 * terminateWasmThreads(); // true if a threaded wasm backend was running
 * ```
 */
export function terminateWasmThreads(): boolean {
  const backend = tf.findBackend('wasm') as { wasm?: { PThread?: { terminateAllThreads?: () => void } } } | null;
  const pthread = backend?.wasm?.PThread;
  if (!pthread?.terminateAllThreads) return false;
  tf.removeBackend('wasm');
  pthread.terminateAllThreads();
  return true;
}
