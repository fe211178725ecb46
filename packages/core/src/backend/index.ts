/**
 * Backend selection for genloom: {@link initBackend} picks the fastest tfjs backend this machine
 * can run and says why it passed over the others; {@link releaseBackend} lets a Node process end.
 */
export { initBackend, backendInfo, backendOrder, describeBackend, releaseBackend } from './select.js';
export type { ReleaseBackendOptions } from './select.js';
export { isSoftwareAdapter } from './webgpu.js';
export { BACKEND_PREFERENCES } from './types.js';
export type {
  BackendName,
  BackendPreference,
  BackendCandidate,
  BackendInfo,
  CandidateStatus,
  GpuAdapterSummary,
  InitBackendOptions,
  WasmSetup,
} from './types.js';
