/**
 * One report per modality: helpers that compute the metrics that fit the data and return them as
 * one flat object of numbers, keyed as everywhere else in genloom (`fid`, `kid`, `precision`,
 * `negElbo`, `bpc`, `bleu`, `auroc`…), ready for `genloom eval --json` and the bench's tables.
 */
import * as tf from '@tensorflow/tfjs';
import { auroc, averagePrecision } from './anomaly.js';
import type { ImageClassifier } from './classifier/model.js';
import { classCoverage, conditionalAccuracy, inceptionScore } from './image/classifier-scores.js';
import { fid, momentsOf } from './image/fid.js';
import { kid, type KidOptions } from './image/kid.js';
import type { FeatureMoments } from './image/linalg.js';
import { precisionRecall } from './image/precision-recall.js';
import { classifierTwoSampleTest, type TwoSampleOptions } from './image/two-sample.js';
import { bitsPerDim, nllNats, perplexity as perplexityOf, bitsPerCharacter } from './likelihood.js';
import { corpusBleu, type BleuOptions } from './text/bleu.js';
import { corpusChrf } from './text/chrf.js';
import { characterErrorRate, phonemeErrorRate, wordErrorRate } from './text/edit-distance.js';

/**
 * Every metric genloom reports, all optional: a report holds the ones that apply. Lower is better
 * for fid, kid, nll, negElbo, bitsPerDim, bpc, perplexity, wer, cer, per; higher for the rest
 * (c2stAccuracy: 0.5 is best).
 */
export interface EvalReport {
  fid?: number;
  kid?: number;
  kidStd?: number;
  inceptionScore?: number;
  inceptionScoreStd?: number;
  precision?: number;
  recall?: number;
  classCoverage?: number;
  modes?: number;
  conditionalAccuracy?: number;
  accuracy?: number;
  c2stAccuracy?: number;
  nll?: number;
  negElbo?: number;
  bitsPerDim?: number;
  bpc?: number;
  perplexity?: number;
  wer?: number;
  cer?: number;
  per?: number;
  bleu?: number;
  chrf?: number;
  auroc?: number;
  averagePrecision?: number;
}

/** Classifier outputs for a set of images: penultimate features and class probabilities. */
export interface ImageFeatures {
  features: tf.Tensor2D;
  probs: tf.Tensor2D;
}

/**
 * Runs the classifier once over images and keeps both of its outputs (the caller disposes them).
 *
 * @example
 * ```ts
 * const real = extractImageFeatures(clf, testImages); // reuse for every model you score
 * ```
 */
export function extractImageFeatures(classifier: ImageClassifier, images: tf.Tensor4D): ImageFeatures {
  return classifier.featuresAndProba(images);
}

/** Inputs of {@link evaluateImages}. */
export interface ImageEvalInput {
  classifier: ImageClassifier;
  /** Real images [N, H, W, C] in the classifier's pixel range, or their features computed once. */
  real: tf.Tensor4D | ImageFeatures;
  /** Generated images, or their features. */
  generated: tf.Tensor4D | ImageFeatures;
  /** The label each generated image was asked for (conditional generators): gives conditionalAccuracy. */
  requestedLabels?: ArrayLike<number>;
  /** Which of the slower metrics to compute (default: all but the two-sample test). */
  metrics?: { kid?: boolean | KidOptions; precisionRecall?: boolean; twoSample?: boolean | TwoSampleOptions };
  /** Cached moments of the real features, to skip recomputing them. */
  realMoments?: FeatureMoments;
}

const isFeatures = (x: tf.Tensor4D | ImageFeatures): x is ImageFeatures => (x as ImageFeatures).features !== undefined;

/**
 * The image report: FID, KID, improved precision/recall, classifier Inception Score, class
 * coverage and modes of the generated set, conditional accuracy when labels were requested, and
 * (opt-in) the classifier two-sample test.
 *
 * @example
 * ```ts
 * const report = await evaluateImages({ classifier: clf, real: testImages, generated: samples });
 * report.fid; report.precision; report.inceptionScore;
 * ```
 */
export async function evaluateImages(input: ImageEvalInput): Promise<EvalReport> {
  const owned: tf.Tensor[] = [];
  const featuresOf = (x: tf.Tensor4D | ImageFeatures) => {
    if (isFeatures(x)) return x;
    const f = extractImageFeatures(input.classifier, x);
    owned.push(f.features, f.probs);
    return f;
  };
  try {
    const real = featuresOf(input.real);
    const gen = featuresOf(input.generated);
    const want = input.metrics ?? {};
    const report: EvalReport = {};
    report.fid = await fid(input.realMoments ?? (await momentsOf(real.features)), gen.features);
    if (want.kid !== false) {
      const k = await kid(real.features, gen.features, typeof want.kid === 'object' ? want.kid : {});
      report.kid = k.mean;
      report.kidStd = k.std;
    }
    if (want.precisionRecall !== false) {
      const pr = await precisionRecall(real.features, gen.features);
      report.precision = pr.precision;
      report.recall = pr.recall;
    }
    const is = await inceptionScore(gen.probs, { splits: Math.min(10, gen.probs.shape[0]) });
    report.inceptionScore = is.mean;
    report.inceptionScoreStd = is.std;
    const coverage = await classCoverage(gen.probs);
    report.classCoverage = coverage.coverage;
    report.modes = coverage.modes;
    if (input.requestedLabels) report.conditionalAccuracy = await conditionalAccuracy(gen.probs, input.requestedLabels);
    if (want.twoSample) {
      const t = await classifierTwoSampleTest(real.features, gen.features, typeof want.twoSample === 'object' ? want.twoSample : {});
      report.c2stAccuracy = t.accuracy;
    }
    return report;
  } finally {
    tf.dispose(owned);
  }
}

/** Inputs of {@link evaluateRealFloor}. */
export interface RealFloorInput {
  classifier: ImageClassifier;
  /** The reference split (e.g. MNIST train), images in the classifier's pixel range. */
  reference: tf.Tensor4D;
  /** The held-out split (e.g. MNIST test) scored as if it were generated. */
  heldOut: tf.Tensor4D;
  /** True labels of `heldOut`: gives the classifier's accuracy. */
  heldOutLabels?: ArrayLike<number>;
  metrics?: ImageEvalInput['metrics'];
}

/**
 * The real-vs-real floor (or ceiling) of every image metric: real held-out images scored against
 * real reference images, as `genloom eval --real mnist` prints it. A generator cannot beat these
 * values by more than sampling noise; print them beside a family's numbers.
 *
 * @example
 * ```ts
 * const floor = await evaluateRealFloor({ classifier: clf, reference: trainImages, heldOut: testImages, heldOutLabels: testLabels });
 * floor.fid; // ≈ 0.x
 * ```
 */
export async function evaluateRealFloor(input: RealFloorInput): Promise<EvalReport> {
  const report = await evaluateImages({
    classifier: input.classifier,
    real: input.reference,
    generated: input.heldOut,
    ...(input.heldOutLabels ? { requestedLabels: input.heldOutLabels } : {}),
    ...(input.metrics ? { metrics: input.metrics } : {}),
  });
  if (report.conditionalAccuracy !== undefined) {
    report.accuracy = report.conditionalAccuracy;
    delete report.conditionalAccuracy;
  }
  return report;
}

/**
 * The likelihood report from per-example values a model computed: `nll` from log-likelihoods
 * (exact, or importance-weighted estimates), `negElbo` from ELBOs, and bits per dimension of the
 * tighter of the two when `dims` is given.
 *
 * @example
 * ```ts
 * evaluateLikelihood({ elbos: perExampleElbo, logLikelihoods: iwEstimates, dims: 784 });
 * // { negElbo: 101.3, nll: 96.8, bitsPerDim: 0.178 }
 * ```
 */
export function evaluateLikelihood(input: { logLikelihoods?: ArrayLike<number>; elbos?: ArrayLike<number>; dims?: number; dataScale?: number }): EvalReport {
  const report: EvalReport = {};
  if (input.elbos) report.negElbo = nllNats(input.elbos);
  if (input.logLikelihoods) report.nll = nllNats(input.logLikelihoods);
  const best = report.nll ?? report.negElbo;
  if (input.dims !== undefined && best !== undefined) report.bitsPerDim = bitsPerDim(best, input.dims, input.dataScale !== undefined ? { dataScale: input.dataScale } : {});
  if (best === undefined) throw new Error('evaluateLikelihood needs logLikelihoods or elbos');
  return report;
}

/** Inputs of {@link evaluateText}: give what the model produced; metrics follow from what is there. */
export interface TextEvalInput {
  /** Mean loss per token in nats: gives perplexity. */
  meanNllPerToken?: number;
  /** Mean loss per character in nats (total nats / total characters): gives bpc. */
  meanNllPerChar?: number;
  /** Sequence-to-sequence outputs with reference streams (`references[r][i]`): BLEU, chrF, CER, WER. */
  translations?: { hypotheses: string[]; references: Array<Array<string | null>>; bleu?: BleuOptions };
  /** Grapheme-to-phoneme outputs: PER (and WER as the share of wrong pronunciations). */
  phonemes?: { references: Array<string | string[]>; hypotheses: Array<string | string[]> };
}

/**
 * The text report: perplexity and bits per character from the losses; BLEU, chrF, CER and WER for
 * translations (against the first reference stream for the error rates); PER and whole-word error
 * rate for pronunciations.
 *
 * @example
 * ```ts
 * evaluateText({ meanNllPerChar: 1.02, meanNllPerToken: 1.02 }); // { bpc: 1.47, perplexity: 2.77 }
 * evaluateText({ phonemes: { references: ['HH AH0 L OW1'], hypotheses: ['HH EH1 L OW1'] } }); // { per: 0.25, wer: 1 }
 * ```
 */
export function evaluateText(input: TextEvalInput): EvalReport {
  const report: EvalReport = {};
  if (input.meanNllPerToken !== undefined) report.perplexity = perplexityOf(input.meanNllPerToken);
  if (input.meanNllPerChar !== undefined) report.bpc = bitsPerCharacter(input.meanNllPerChar);
  if (input.translations) {
    const { hypotheses, references } = input.translations;
    report.bleu = corpusBleu(hypotheses, references, input.translations.bleu).score;
    report.chrf = corpusChrf(hypotheses, references).score;
    const first = references[0]!.map((r) => r ?? '');
    report.cer = characterErrorRate(first, hypotheses).rate;
    report.wer = wordErrorRate(first, hypotheses).rate;
  }
  if (input.phonemes) {
    const { references, hypotheses } = input.phonemes;
    report.per = phonemeErrorRate(references, hypotheses).rate;
    const norm = (p: string | string[]) => (typeof p === 'string' ? p.trim().split(/\s+/) : p).join(' ');
    let wrong = 0;
    references.forEach((r, i) => {
      if (norm(r) !== norm(hypotheses[i]!)) wrong++;
    });
    report.wer = wrong / references.length;
  }
  return report;
}

/**
 * The anomaly report: AUROC and average precision of anomaly scores against labels (1 = anomaly).
 *
 * @example
 * ```ts
 * evaluateAnomaly({ scores: negElbos, labels: isAnomaly }); // { auroc: 0.93, averagePrecision: 0.71 }
 * ```
 */
export function evaluateAnomaly(input: { scores: ArrayLike<number>; labels: ArrayLike<number | boolean> }): EvalReport {
  return { auroc: auroc(input.scores, input.labels), averagePrecision: averagePrecision(input.scores, input.labels) };
}

/** The input of {@link evaluate}, by modality. */
export type EvalInput =
  | ({ modality: 'image' } & ImageEvalInput)
  | ({ modality: 'likelihood' } & Parameters<typeof evaluateLikelihood>[0])
  | ({ modality: 'text' } & TextEvalInput)
  | ({ modality: 'anomaly' } & Parameters<typeof evaluateAnomaly>[0]);

/**
 * Picks the metrics for a modality and returns one report.
 *
 * @example
 * ```ts
 * const report = await evaluate({ modality: 'image', classifier: clf, real: test, generated: samples });
 * console.log(formatReport(report));
 * ```
 */
export async function evaluate(input: EvalInput): Promise<EvalReport> {
  switch (input.modality) {
    case 'image':
      return evaluateImages(input);
    case 'likelihood':
      return evaluateLikelihood(input);
    case 'text':
      return evaluateText(input);
    case 'anomaly':
      return evaluateAnomaly(input);
    default:
      throw new Error(`evaluate: unknown modality ${JSON.stringify((input as { modality: unknown }).modality)}; expected image, likelihood, text or anomaly`);
  }
}

const LABELS: Record<keyof EvalReport, string> = {
  fid: 'FID ↓',
  kid: 'KID ↓',
  kidStd: 'KID std',
  inceptionScore: 'Inception Score ↑',
  inceptionScoreStd: 'IS std',
  precision: 'precision ↑',
  recall: 'recall ↑',
  classCoverage: 'class coverage ↑',
  modes: 'modes found',
  conditionalAccuracy: 'conditional accuracy ↑',
  accuracy: 'accuracy ↑',
  c2stAccuracy: 'two-sample accuracy (0.5 best)',
  nll: 'NLL (nats) ↓',
  negElbo: '−ELBO (nats) ↓',
  bitsPerDim: 'bits/dim ↓',
  bpc: 'bits/char ↓',
  perplexity: 'perplexity ↓',
  wer: 'WER ↓',
  cer: 'CER ↓',
  per: 'PER ↓',
  bleu: 'BLEU ↑',
  chrf: 'chrF2 ↑',
  auroc: 'AUROC ↑',
  averagePrecision: 'average precision ↑',
};

/**
 * The report as aligned "name  value" lines for a terminal.
 *
 * @example
 * ```ts
 * console.log(formatReport({ fid: 1.23, precision: 0.71 }));
 * ```
 */
export function formatReport(report: EvalReport): string {
  const rows = (Object.keys(LABELS) as Array<keyof EvalReport>).filter((k) => report[k] !== undefined).map((k) => [LABELS[k], report[k]!] as const);
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, v]) => `${l.padEnd(width)}  ${Number.isInteger(v) ? v : v.toPrecision(4)}`).join('\n');
}
