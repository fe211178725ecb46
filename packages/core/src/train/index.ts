export { train } from './trainer.js';
export type { TrainOptions, TrainResult } from './trainer.js';
export { lossHistory, jsonLines, earlyStopping, sampleSnapshots } from './callbacks.js';
export type { Callback, StepEvent, EvalEvent, TrainSummary, TrainerControl } from './callbacks.js';
export type { StepContext, OptimizerSettings } from './context.js';
