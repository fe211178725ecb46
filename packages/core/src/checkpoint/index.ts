export { saveModel, loadCheckpoint, loadModel, readManifest, CHECKPOINT_FORMAT_VERSION, GENLOOM_VERSION } from './format.js';
export type { CheckpointManifest, Provenance, TrainingState, SaveOptions, LoadedCheckpoint } from './format.js';
export { httpCheckpointReader, memoryCheckpointStore } from './store.js';
export type { CheckpointReader, CheckpointWriter } from './store.js';
export { averageCheckpoints } from './average.js';
export type { AveragedCheckpoint } from './average.js';
