/**
 * `@genloom/eval/ratings`: the SQLite rating store (Node only: it loads better-sqlite3) and the
 * scores computed from it. Browser code imports the scores from `@genloom/eval` instead.
 */
export { RatingStore } from './store.js';
export type { SampleRef, PreferenceInput, JudgementInput, PreferenceRow, JudgementRow, RealismScore, RatingSummary } from './store.js';
export { bradleyTerry, elo, cohenKappa, fleissKappa, pairwiseAgreement } from './scores.js';
export type { Comparison, BradleyTerryScore } from './scores.js';
