/**
 * @genloom/eval: metrics for every modality. Browser-safe; the Node-only parts live in
 * `@genloom/eval/node` (classifier cache, shipped checkpoints) and `@genloom/eval/ratings` (the
 * SQLite rating store). Importing this module registers the `classifier` family.
 */
export { featureMoments, symmetricEigen, psdSqrt, traceSqrtProduct } from './image/linalg.js';
export type { FeatureMoments, SymmetricEigen } from './image/linalg.js';
export { fid, frechetDistance, momentsOf } from './image/fid.js';
export type { FeaturesOrMoments } from './image/fid.js';
export { kid } from './image/kid.js';
export type { KidOptions, KidResult } from './image/kid.js';
export { precisionRecall } from './image/precision-recall.js';
export type { PrecisionRecallOptions, PrecisionRecallResult } from './image/precision-recall.js';
export { inceptionScore, classCoverage, conditionalAccuracy } from './image/classifier-scores.js';
export type { InceptionScoreResult, ClassCoverageResult } from './image/classifier-scores.js';
export { classifierTwoSampleTest } from './image/two-sample.js';
export type { TwoSampleOptions, TwoSampleResult } from './image/two-sample.js';

export { logSumExp, logMeanExp, importanceWeightedBound, nllNats, bitsPerDim, perplexity, bitsPerCharacter } from './likelihood.js';
export { auroc, averagePrecision, precisionAtK, thresholdAtFpr } from './anomaly.js';
export type { ThresholdResult } from './anomaly.js';

export { corpusBleu, bleuFromCounts, tokenize13a, TEXT_METRICS_VERSION } from './text/bleu.js';
export type { BleuOptions, BleuResult, BleuSmoothing, BleuTokenize } from './text/bleu.js';
export { corpusChrf, sentenceChrf } from './text/chrf.js';
export type { ChrfOptions, ChrfResult } from './text/chrf.js';
export { levenshtein, editCounts, characterErrorRate, wordErrorRate, phonemeErrorRate, pronunciationErrorRates } from './text/edit-distance.js';
export type { EditCounts, ErrorRateResult, PronunciationErrorRates } from './text/edit-distance.js';

export * from './classifier/index.js';

export { bradleyTerry, elo, cohenKappa, fleissKappa, pairwiseAgreement } from './ratings/scores.js';
export type { Comparison, BradleyTerryScore } from './ratings/scores.js';

export { evaluate, evaluateImages, evaluateRealFloor, evaluateLikelihood, evaluateText, evaluateAnomaly, extractImageFeatures, formatReport } from './evaluate.js';
export type { EvalReport, EvalInput, ImageEvalInput, ImageFeatures, RealFloorInput, TextEvalInput } from './evaluate.js';
export { evaluateModel } from './evaluate-model.js';
export type { EvalData, EvaluateModelOptions, ModelEvaluation } from './evaluate-model.js';
