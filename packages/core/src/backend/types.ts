/** Backends genloom can run on. */
export type BackendName = 'webgpu' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'webgl' | 'cpu';

/** What `initBackend` accepts: a backend to force, or `'auto'` to take the best available one. */
export type BackendPreference = BackendName | 'auto';

/** Every name `initBackend` and `GENLOOM_BACKEND` accept, in the order of the error message. */
export const BACKEND_PREFERENCES: readonly BackendPreference[] = [
  'auto',
  'webgpu',
  'tensorflow-gpu',
  'tensorflow',
  'wasm',
  'webgl',
  'cpu',
];

/**
 * What happened to one candidate:
 * - `chosen`: initialised and now active;
 * - `failed`: could not be initialised (module missing, no adapter, init error);
 * - `rejected`: would work but was passed over on purpose (a software GPU adapter);
 * - `not-tried`: a candidate earlier in the order was chosen, or another backend was forced.
 */
export type CandidateStatus = 'chosen' | 'failed' | 'rejected' | 'not-tried';

/** One backend that was considered, and why it was or was not chosen. */
export interface BackendCandidate {
  name: BackendName;
  /** True only for the chosen backend and for one that was rejected although it works. */
  available: boolean;
  status: CandidateStatus;
  reason: string;
  /** Time spent trying it, in milliseconds (absent when not tried). */
  ms?: number;
}

/** The GPU adapter a `webgpu` backend runs on, as the adapter describes itself. */
export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU rasteriser (llvmpipe, lavapipe, SwiftShader, WARP) rather than a GPU. */
  software: boolean;
}

/** How the `wasm` backend was set up. */
export interface WasmSetup {
  simd: boolean;
  /** Threads XNNPACK computes with, read back from the backend after it started. */
  threads: number;
  /** Whether the threaded build was asked for (`GENLOOM_WASM_THREADS=1` or the option). */
  threadsRequested: boolean;
  /** Where the `.wasm` binaries are loaded from, or `'default'` when tfjs' own lookup is used. */
  paths: string;
}

/** What {@link initBackend} chose. */
export interface BackendInfo {
  backend: BackendName;
  /** The name tfjs knows the backend by (`tf.getBackend()`). */
  tfjsBackend: string;
  /** Every candidate of the platform's order, with why each was or was not chosen. */
  candidates: BackendCandidate[];
  /**
   * CPU threads that run the kernels: measured from the wasm backend; 1 for `cpu`, `webgl` and
   * `webgpu` (the work runs on the device); libtensorflow's pool size for `tensorflow(-gpu)`.
   */
  threads: number;
  tfjsVersion: string;
  /** Kernels genloom registered on the backend so that every family can train there. */
  addedKernels: string[];
  platform: 'node' | 'browser';
  /** True when `GENLOOM_BACKEND` or the argument named the backend. */
  forced: boolean;
  /** Where the forced name came from. */
  forcedBy?: 'GENLOOM_BACKEND' | 'argument';
  adapter?: GpuAdapterSummary;
  wasm?: WasmSetup;
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * Receives one line for the choice and one per candidate passed over. Library code stays silent
   * unless the application passes one (the CLI passes `console.error`).
   */
  log?: (line: string) => void;
  /**
   * Where the wasm binaries are: a folder prefix ending in `/`, or a map from the three file names
   * to URLs (what a bundler's `?url` imports give). In Node the default is the package's `dist/`
   * folder, resolved from `node_modules`; in a browser the default is tfjs' own lookup.
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * Run the threaded wasm build with this many threads (`true`: one per logical core). Node only
   * through a workaround (see the README section); default from `GENLOOM_WASM_THREADS=1`.
   */
  wasmThreads?: boolean | number;
  /** Accept a software GPU adapter (llvmpipe…) for `webgpu` even in automatic choice. */
  allowSoftwareGpu?: boolean;
  /** Environment to read `GENLOOM_*` from; defaults to `process.env` (empty in a browser). */
  env?: Record<string, string | undefined>;
}
