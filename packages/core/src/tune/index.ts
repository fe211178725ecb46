export { tune, resultsToCsv, memoryTuneJournal } from './tune.js';
export type { TrialJob, TrialOutcome, TrialRecord, TuneJournal, TuneOptions, TuneResult } from './tune.js';
export { sampleSpace, validateSpace } from './space.js';
export type { ParamSpec, SearchSpace, ParamValues } from './space.js';
