export { Rng, deriveSeed } from './rng.js';
export type { RngState } from './rng.js';
export type { DataSource, TensorBatch } from './data.js';
export { initBackend, backendInfo } from './backend/index.js';
export type { BackendName, BackendCandidate, BackendInfo } from './backend/index.js';
