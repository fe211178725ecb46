/**
 * One report for any model: `evaluateModel(model, data)` reads what the model can do (its
 * `capabilities()`: make images, score likelihood, score text, translate) and what the data is
 * (examples, text, pairs), and computes every metric that fits both. No family is named here:
 * a new family gets the metrics by declaring its capabilities.
 */
import type { GenerativeModel, ModelCapabilities } from '@genloom/core';
import type * as tf from '@tensorflow/tfjs';
import type { ImageClassifier } from './classifier/model.js';
import { evaluateAnomaly, evaluateImages, evaluateLikelihood, evaluateText, type EvalReport, type ImageEvalInput } from './evaluate.js';

/**
 * Held-out data to evaluate a model on: examples (images [N, H, W, C] in [0, 1], or table rows),
 * a text, or source/target pairs.
 */
export type EvalData =
  | {
      /** Examples [N, ...]: images in [0, 1] for image metrics. */
      x: tf.Tensor;
      /** Class labels [N] (conditional models; requested labels for conditionalAccuracy follow them). */
      labels?: ArrayLike<number>;
      /** 1 = anomaly, 0 = normal [N]: gives AUROC and average precision of the model's −ELBO. */
      anomalyLabels?: ArrayLike<number>;
    }
  | { text: string }
  | { pairs: ReadonlyArray<{ source: string; target: string }> };

/** Options of {@link evaluateModel}. */
export interface EvaluateModelOptions {
  /** Feature extractor for image metrics (FID, KID, precision/recall, IS, coverage); without it they are skipped. */
  classifier?: ImageClassifier;
  /** Images to generate for the image metrics (default min(1000, N)). */
  samples?: number;
  /** Which of the slower image metrics to compute (as in evaluateImages). */
  imageMetrics?: ImageEvalInput['metrics'];
  /** Importance samples of the log-likelihood estimate (default 100; 0 skips `nll`). */
  importanceSamples?: number;
  /** Examples the importance-weighted estimate is computed on (default 1000, the first ones). */
  importanceExamples?: number;
  /** Beam size of translations (default 1: greedy). */
  beamSize?: number;
  /** Seed of generation and posterior samples (default 1). */
  seed?: number;
}

/** What {@link evaluateModel} returns: the metrics, and which capabilities produced them. */
export interface ModelEvaluation {
  report: EvalReport;
  /** Capabilities that were used, in order (e.g. `['likelihood', 'imageGeneration']`). */
  used: Array<keyof ModelCapabilities>;
  /** Why a capability the model has was not used (e.g. image metrics without a classifier). */
  skipped: string[];
  /** Examples, texts' tokens or pairs each part was computed on. */
  counts: Record<string, number>;
}

const dataKind = (data: EvalData) => ('x' in data ? 'examples' : 'text' in data ? 'text' : 'pairs');

/**
 * Evaluates a model on held-out data with every metric its capabilities and the data allow:
 *
 * - examples + likelihood → `negElbo`, `nll` (importance-weighted), `bitsPerDim`; with anomaly
 *   labels also `auroc`, `averagePrecision` of −ELBO;
 * - images + image generation + a classifier → `fid`, `kid`, `precision`, `recall`,
 *   `inceptionScore`, `classCoverage`, `modes`, and `conditionalAccuracy` for conditional models
 *   (requested labels cycle through the classes);
 * - text + text scoring → `perplexity` (per token) and `bpc`;
 * - pairs + translation → `bleu`, `chrf`, `cer`, `wer` (text), or `per`, `wer` (phonemes).
 *
 * Throws when nothing fits, naming the model's capabilities and the kind of data.
 *
 * @example
 * ```ts
 * import { evaluateModel, formatReport } from '@genloom/eval';
 * const test = await loadMnist({ split: 'test' });
 * const x = tf.tensor4d(test.images, [...test.shape]);
 * const { report } = await evaluateModel(vae, { x, labels: test.labels }, { classifier });
 * console.log(formatReport(report)); // −ELBO, NLL, bits/dim, FID, precision, recall, IS…
 * ```
 */
export async function evaluateModel(model: GenerativeModel, data: EvalData, options: EvaluateModelOptions = {}): Promise<ModelEvaluation> {
  const caps = model.capabilities?.() ?? {};
  const seed = options.seed ?? 1;
  const out: ModelEvaluation = { report: {}, used: [], skipped: [], counts: {} };
  if ('x' in data) await evaluateExamples(caps, data, options, seed, out);
  else if ('text' in data) await evaluateTextData(caps, data.text, out);
  else await evaluatePairs(caps, data.pairs, options, out);
  if (out.used.length === 0) {
    const offered = Object.keys(caps);
    throw new Error(
      `evaluateModel: the "${model.family}" model offers ${offered.length ? offered.join(', ') : 'no evaluation capabilities'}; ` +
        `none of them fits ${dataKind(data)} data` +
        (out.skipped.length ? ` (${out.skipped.join('; ')})` : '') +
        `. Expected examples for likelihood/imageGeneration, text for textScoring, pairs for translation.`,
    );
  }
  return out;
}

async function evaluateExamples(caps: ModelCapabilities, data: Extract<EvalData, { x: tf.Tensor }>, options: EvaluateModelOptions, seed: number, out: ModelEvaluation): Promise<void> {
  const { x } = data;
  const n = x.shape[0]!;
  if (data.labels && data.labels.length !== n) throw new Error(`evaluateModel: ${n} examples but ${data.labels.length} labels; they must match`);
  if (data.anomalyLabels && data.anomalyLabels.length !== n) throw new Error(`evaluateModel: ${n} examples but ${data.anomalyLabels.length} anomaly labels; they must match`);
  const { likelihood, imageGeneration } = caps;
  if (likelihood) {
    const condition = data.labels ? { labels: data.labels } : {};
    const elbos = await likelihood.elbo(x, { seed, ...condition });
    const k = options.importanceSamples ?? 100;
    let logLikelihoods: Float32Array | undefined;
    if (k > 0 && likelihood.logLikelihood) {
      const m = Math.min(n, options.importanceExamples ?? 1000);
      const sub = m === n ? x : x.slice(0, m);
      try {
        logLikelihoods = await likelihood.logLikelihood(sub, { samples: k, seed, ...(data.labels ? { labels: Array.from(data.labels).slice(0, m) } : {}) });
      } finally {
        if (sub !== x) sub.dispose();
      }
      out.counts.importanceExamples = m;
      out.counts.importanceSamples = k;
    }
    Object.assign(out.report, evaluateLikelihood({ elbos, ...(logLikelihoods ? { logLikelihoods } : {}), dims: likelihood.dims }));
    if (data.anomalyLabels) Object.assign(out.report, evaluateAnomaly({ scores: elbos.map((v) => -v), labels: data.anomalyLabels }));
    out.used.push('likelihood');
    out.counts.examples = n;
  }
  if (imageGeneration) {
    if (x.rank !== 4) {
      out.skipped.push(`imageGeneration: the examples have shape [${x.shape}], not images [N, H, W, C]`);
    } else if (!options.classifier) {
      out.skipped.push('imageGeneration: no classifier was given for the image metrics');
    } else {
      const want = imageGeneration.imageShape;
      if (!want.every((d, i) => d === x.shape[i + 1])) throw new Error(`evaluateModel: the model makes images of shape [${want}], the data has [${x.shape.slice(1)}]`);
      const count = Math.min(options.samples ?? 1000, n);
      const k = imageGeneration.numClasses;
      const requested = k > 0 ? Array.from({ length: count }, (_, i) => i % k) : undefined;
      const generated = await imageGeneration.generate(count, { seed, ...(requested ? { labels: requested } : {}) });
      try {
        const images = await evaluateImages({
          classifier: options.classifier,
          real: x as tf.Tensor4D,
          generated,
          ...(requested ? { requestedLabels: requested } : {}),
          metrics: options.imageMetrics ?? { twoSample: false },
        });
        Object.assign(out.report, images);
      } finally {
        generated.dispose();
      }
      out.used.push('imageGeneration');
      out.counts.generated = count;
      out.counts.realImages = n;
    }
  }
}

async function evaluateTextData(caps: ModelCapabilities, text: string, out: ModelEvaluation): Promise<void> {
  if (!caps.textScoring) return;
  const s = await caps.textScoring.score(text);
  if (!(s.tokens > 0) || !Number.isFinite(s.nats)) throw new Error(`evaluateModel: the text scored ${s.tokens} tokens with ${s.nats} nats; expected a finite score of at least one token`);
  Object.assign(out.report, evaluateText({ meanNllPerToken: s.nats / s.tokens, meanNllPerChar: s.nats / Math.max(1, s.characters) }));
  out.used.push('textScoring');
  out.counts.tokens = s.tokens;
  out.counts.characters = s.characters;
}

async function evaluatePairs(caps: ModelCapabilities, pairs: ReadonlyArray<{ source: string; target: string }>, options: EvaluateModelOptions, out: ModelEvaluation): Promise<void> {
  const t = caps.translation;
  if (!t) return;
  const usable = pairs.filter((p) => t.fits(p.source, p.target));
  if (usable.length === 0) throw new Error(`evaluateModel: none of the ${pairs.length} pairs fits the model's source/target lengths`);
  const hyps = await t.translate(
    usable.map((p) => p.source),
    { beamSize: options.beamSize ?? 1 },
  );
  const refs = usable.map((p) => p.target);
  Object.assign(out.report, t.output === 'phonemes' ? evaluateText({ phonemes: { references: refs, hypotheses: hyps } }) : evaluateText({ translations: { hypotheses: hyps, references: [refs] } }));
  out.used.push('translation');
  out.counts.pairs = usable.length;
  out.counts.skippedPairs = pairs.length - usable.length;
}
