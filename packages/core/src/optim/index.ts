export { Optimizer, AdamW, SGD, createOptimizer } from './optimizer.js';
export type { OptimizerConfig, OptimizerState, NamedVariable } from './optimizer.js';
export { warmupCosine, createSchedule } from './schedule.js';
export type { Schedule, ScheduleConfig, TrainingRecipe } from './schedule.js';
export { clipByGlobalNorm, globalNorm } from './clip.js';
export { WeightEMA } from './ema.js';
