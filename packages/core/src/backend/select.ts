/**
 * Backend choice: walk the platform's order, try each candidate, keep the first that starts, and
 * say why every other one was passed over. Each candidate lives in its own module; this one only
 * knows the order, the environment variables and the report.
 */
import * as tf from '@tensorflow/tfjs';
import { registerTrainingKernels } from '../kernels/index.js';
import { errorMessage, firstLine, importRuntime, isNodeRuntime, processEnv } from './environment.js';
import { tryNative } from './native.js';
import { tryWasm } from './wasm.js';
import { terminateWasmThreads } from './wasm-threads-node.js';
import { BackendRejectedError, adapterLabel, releaseWebgpu, tryWebgpu } from './webgpu.js';
import { BACKEND_PREFERENCES } from './types.js';
import type {
  BackendCandidate,
  BackendInfo,
  BackendName,
  BackendPreference,
  GpuAdapterSummary,
  InitBackendOptions,
  WasmSetup,
} from './types.js';

const ORDER: Record<'node' | 'browser', readonly BackendName[]> = {
  node: ['webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'],
  browser: ['webgpu', 'webgl', 'wasm', 'cpu'],
};

/**
 * The order in which automatic choice tries backends on a platform, fastest first.
 *
 * @example
 * ```ts
 * backendOrder('node');    // ['webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']
 * backendOrder('browser'); // ['webgpu', 'webgl', 'wasm', 'cpu']
 * ```
 */
export function backendOrder(platform: 'node' | 'browser'): readonly BackendName[] {
  return ORDER[platform];
}

/** What one candidate's attempt gives back when it starts. */
interface Started {
  tfjsBackend: string;
  threads: number;
  note?: string;
  adapter?: GpuAdapterSummary;
  wasm?: WasmSetup;
}

/** Everything an attempt may need to know. */
interface AttemptContext {
  platform: 'node' | 'browser';
  forced: boolean;
  allowSoftwareGpu: boolean;
  wasmPaths?: string | Record<string, string>;
  wasmThreads: number;
}

function nodeOnly(name: BackendName, platform: 'node' | 'browser'): void {
  if (platform !== 'node') throw new Error(`${name} needs Node (libtensorflow); not available in a browser`);
}

/** One attempt per backend: initialise it and make it tfjs' active backend, or throw why not. */
const ATTEMPTS: Record<BackendName, (ctx: AttemptContext) => Promise<Started>> = {
  async webgpu(ctx) {
    const adapter = await tryWebgpu(ctx.platform, ctx.forced || ctx.allowSoftwareGpu);
    const note = adapter.software ? 'software adapter, accepted because webgpu was asked for' : undefined;
    return { tfjsBackend: 'webgpu', threads: 1, adapter, ...(note ? { note } : {}) };
  },
  async 'tensorflow-gpu'(ctx) {
    nodeOnly('tensorflow-gpu', ctx.platform);
    return { tfjsBackend: 'tensorflow', ...(await tryNative('tensorflow-gpu')) };
  },
  async tensorflow(ctx) {
    nodeOnly('tensorflow', ctx.platform);
    return { tfjsBackend: 'tensorflow', ...(await tryNative('tensorflow')) };
  },
  async wasm(ctx) {
    const { setup, note } = await tryWasm({
      platform: ctx.platform,
      threads: ctx.wasmThreads,
      ...(ctx.wasmPaths !== undefined ? { paths: ctx.wasmPaths } : {}),
    });
    return { tfjsBackend: 'wasm', threads: setup.threads, wasm: setup, ...(note ? { note } : {}) };
  },
  async webgl(ctx) {
    if (ctx.platform !== 'browser') throw new Error('webgl runs only in a browser (Node has no WebGL context)');
    if (!(await tf.setBackend('webgl'))) throw new Error('tf.setBackend("webgl") returned false: no WebGL context');
    return { tfjsBackend: 'webgl', threads: 1 };
  },
  async cpu() {
    if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
    // tfjs-backend-cpu prints a banner advising tfjs-node on first use in Node; the choice report
    // already says why tensorflow was passed over, so library use stays silent.
    (tf.backend() as { firstUse?: boolean }).firstUse = false;
    return { tfjsBackend: 'cpu', threads: 1 };
  },
};

/** Validates a backend name from the argument or `GENLOOM_BACKEND`; throws listing valid names. */
function parsePreference(value: string, source: string): BackendPreference {
  const name = value.trim().toLowerCase();
  if ((BACKEND_PREFERENCES as readonly string[]).includes(name)) return name as BackendPreference;
  throw new Error(`Unknown backend "${value}" (from ${source}); valid names: ${BACKEND_PREFERENCES.join(', ')}`);
}

const THREADS_ON = ['1', 'true', 'on', 'yes'];
const THREADS_OFF = ['', '0', 'false', 'off', 'no'];

/** Threads wanted for wasm: 0 = leave it to tfjs; else a count (all logical cores for "on"). */
async function wasmThreadsWanted(option: boolean | number | undefined, env: Record<string, string | undefined>, platform: 'node' | 'browser'): Promise<number> {
  let wanted: boolean | number = option ?? false;
  const raw = option === undefined ? env.GENLOOM_WASM_THREADS?.trim().toLowerCase() : undefined;
  if (raw !== undefined) {
    if (THREADS_ON.includes(raw)) wanted = true;
    else if (THREADS_OFF.includes(raw)) wanted = false;
    else if (/^\d+$/.test(raw)) wanted = Number(raw);
    else throw new Error(`GENLOOM_WASM_THREADS="${raw}": expected 1 (on: one thread per core), 0 (off) or a thread count`);
  }
  if (wanted === false) return 0;
  if (typeof wanted === 'number') return Math.max(0, Math.floor(wanted));
  if (platform === 'node') {
    const os = await importRuntime<typeof import('node:os')>('node:os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

let current: BackendInfo | null = null;
let currentKey: string | null = null;
let queue: Promise<unknown> = Promise.resolve();
const kernelsAdded = new Map<string, string[]>();

/**
 * Chooses and initialises a tfjs backend, then registers genloom's training kernels on it.
 *
 * With no preference (or `'auto'`) the order is the fastest available: in Node `webgpu` on a
 * hardware adapter, `tensorflow-gpu`, `tensorflow`, `wasm`, `cpu`; in a browser `webgpu`, `webgl`,
 * `wasm`, `cpu`. `GENLOOM_BACKEND` in the environment overrides the argument; a forced backend that
 * cannot start is an error, not a silent fallback. Calling it again with the same wishes returns
 * the same choice (and re-activates it if something else switched tfjs' backend).
 *
 * @example
 * ```ts
 * const info = await initBackend();               // e.g. { backend: 'wasm', threads: 1, … }
 * await initBackend('cpu');                       // force the pure-JS backend (reference tests)
 * await initBackend('auto', { log: console.error }); // print the choice and every reason
 * ```
 */
export function initBackend(preference: BackendPreference = 'auto', options: InitBackendOptions = {}): Promise<BackendInfo> {
  // One selection at a time: tfjs' active backend is process-wide.
  const run = queue.catch(() => undefined).then(() => selectBackend(preference, options));
  queue = run;
  return run;
}

async function selectBackend(preference: BackendPreference, options: InitBackendOptions): Promise<BackendInfo> {
  const env = options.env ?? processEnv();
  const platform = isNodeRuntime() ? 'node' : 'browser';
  const fromEnv = env.GENLOOM_BACKEND?.trim();
  const wanted = fromEnv ? parsePreference(fromEnv, 'GENLOOM_BACKEND') : parsePreference(preference, 'initBackend argument');
  const forcedBy = fromEnv ? 'GENLOOM_BACKEND' : wanted !== 'auto' ? 'argument' : undefined;
  const ctx: AttemptContext = {
    platform,
    forced: forcedBy !== undefined,
    allowSoftwareGpu: options.allowSoftwareGpu ?? false,
    wasmThreads: await wasmThreadsWanted(options.wasmThreads, env, platform),
    ...(options.wasmPaths !== undefined ? { wasmPaths: options.wasmPaths } : {}),
  };
  const log = options.log ?? (() => undefined);

  const key = JSON.stringify([wanted, forcedBy ?? null, ctx.allowSoftwareGpu, ctx.wasmThreads, ctx.wasmPaths ?? null]);
  if (current && key === currentKey && tf.findBackend(current.tfjsBackend)) {
    if (tf.getBackend() !== current.tfjsBackend) await tf.setBackend(current.tfjsBackend);
    describeBackend(current).forEach((line) => log(line));
    return current;
  }

  const order = backendOrder(platform);
  const tryOrder: readonly BackendName[] = wanted === 'auto' ? order : [wanted];
  const outcomes = new Map<BackendName, BackendCandidate>();
  let chosen: { name: BackendName; started: Started } | null = null;
  for (const name of tryOrder) {
    const t0 = performance.now();
    try {
      const started = await ATTEMPTS[name](ctx);
      await tf.ready();
      const ms = Math.round(performance.now() - t0);
      outcomes.set(name, { name, available: true, status: 'chosen', reason: started.note ?? 'chosen', ms });
      chosen = { name, started };
      break;
    } catch (err) {
      const ms = Math.round(performance.now() - t0);
      const rejected = err instanceof BackendRejectedError;
      outcomes.set(name, { name, available: rejected, status: rejected ? 'rejected' : 'failed', reason: firstLine(errorMessage(err)), ms });
    }
  }

  const skipReason = forcedBy ? `${forcedBy === 'GENLOOM_BACKEND' ? `GENLOOM_BACKEND=${wanted}` : `initBackend('${wanted}')`} forces ${wanted}` : `${chosen?.name} was chosen first`;
  const listed = wanted === 'auto' || order.includes(wanted) ? order : [...order, wanted];
  const candidates = listed.map((name): BackendCandidate => outcomes.get(name) ?? { name, available: false, status: 'not-tried', reason: skipReason });

  if (!chosen) {
    const why = candidates.filter((c) => c.status !== 'not-tried').map((c) => `${c.name}: ${c.reason}`).join('; ');
    throw new Error(forcedBy ? `${skipReason}, but it could not start: ${why}` : `No tfjs backend could be initialised: ${why}`);
  }

  const { name, started } = chosen;
  let addedKernels = kernelsAdded.get(started.tfjsBackend);
  if (!addedKernels) {
    addedKernels = registerTrainingKernels(started.tfjsBackend);
    kernelsAdded.set(started.tfjsBackend, addedKernels);
  }
  current = {
    backend: name,
    tfjsBackend: started.tfjsBackend,
    candidates,
    threads: started.threads,
    tfjsVersion: tf.version.tfjs,
    addedKernels,
    platform,
    forced: forcedBy !== undefined,
    ...(forcedBy ? { forcedBy } : {}),
    ...(started.adapter ? { adapter: started.adapter } : {}),
    ...(started.wasm ? { wasm: started.wasm } : {}),
  };
  currentKey = key;
  describeBackend(current).forEach((line) => log(line));
  return current;
}

/**
 * The backend chosen by the last {@link initBackend}, or null before the first one (and after
 * {@link releaseBackend}).
 *
 * @example
 * ```ts
 * await initBackend();
 * console.log(backendInfo()?.backend); // 'wasm' on a CPU-only machine
 * ```
 */
export function backendInfo(): BackendInfo | null {
  return current;
}

/**
 * The choice as readable lines: the chosen backend with its details, then each other candidate
 * with why it was passed over. `initBackend` sends these lines to its `log` option.
 *
 * @example
 * ```ts
 * const info = await initBackend();
 * console.error(describeBackend(info).join('\n'));
 * // genloom backend: wasm (SIMD, 1 thread) — automatic choice
 * //   webgpu: failed — Dawn found no GPU adapter (…)
 * //   tensorflow-gpu: failed — not installed (optional package @tensorflow/tfjs-node-gpu)
 * //   …
 * ```
 */
export function describeBackend(info: BackendInfo): string[] {
  const details: string[] = [];
  if (info.wasm) details.push(info.wasm.simd ? 'SIMD' : 'no SIMD');
  if (info.adapter) details.push(adapterLabel(info.adapter));
  if (info.backend !== 'webgpu' && info.backend !== 'webgl') details.push(`${info.threads} thread${info.threads === 1 ? '' : 's'}`);
  const how = info.forcedBy === 'GENLOOM_BACKEND' ? 'forced by GENLOOM_BACKEND' : info.forcedBy === 'argument' ? 'forced by the caller' : 'automatic choice';
  const chosen = info.candidates.find((c) => c.status === 'chosen');
  const note = chosen && chosen.reason !== 'chosen' ? `; ${chosen.reason}` : '';
  const lines = [`genloom backend: ${info.backend} (${details.join(', ')}) — ${how}${note}`];
  for (const c of info.candidates) {
    if (c.status !== 'chosen') lines.push(`  ${c.name}: ${c.status} — ${c.reason}`);
  }
  return lines;
}

/** Options of {@link releaseBackend}. */
export interface ReleaseBackendOptions {
  /** End the process with `process.exit()` once released (Node only). */
  exit?: boolean;
  /** Exit code when `exit` is set; defaults to `process.exitCode` or 0. */
  exitCode?: number;
}

/**
 * Frees what keeps Node alive after the work is done: the Dawn device behind `webgpu` (and the
 * `navigator.gpu` genloom installed) and the pthread workers of the threaded wasm build. Call it
 * once, at the end; afterwards `webgpu` cannot be initialised again in this process. With
 * `{ exit: true }` it also ends the process, the sure way out whatever a native module holds.
 *
 * @example
 * ```ts
 * await initBackend();
 * await train(model, data, { steps: 100 });
 * await releaseBackend({ exit: true }); // a CLI command's last line
 * ```
 */
export async function releaseBackend(options: ReleaseBackendOptions = {}): Promise<string[]> {
  await queue.catch(() => undefined);
  const released: string[] = [];
  if (terminateWasmThreads()) released.push('wasm threads');
  if (releaseWebgpu()) released.push('webgpu');
  current = null;
  currentKey = null;
  if (options.exit && isNodeRuntime()) process.exit(options.exitCode ?? (Number(process.exitCode) || 0));
  return released;
}
