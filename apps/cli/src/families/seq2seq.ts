/**
 * `genloom train|sample|eval seq2seq`: the encoder–decoder transformer on source/target pairs.
 * `--data cmudict` is grapheme-to-phoneme (letters → ARPAbet phonemes, one token each; the fixed
 * held-out words of loadCmudict evaluate); `--data tsv:PATH` reads `source<TAB>target` lines
 * (translation, correction: characters on both sides), holding out ≈10% of the sources by hash.
 * Metrics come from @genloom/eval: WER and PER for phonemes (strict: stress digits count and only a
 * word's first CMUdict pronunciation is right; for cmudict also `werNoStress` / `perNoStress`:
 * stress ignored and any listed pronunciation right, as published CMUdict g2p results are scored);
 * CER, WER, BLEU and chrF for text.
 */
import { readFile } from 'node:fs/promises';
import type { GenerativeModel } from '@genloom/core';
import { cmudictPronunciations, isHeldOut, resolveDataSpec } from '@genloom/datasets';
import { characterErrorRate, corpusBleu, corpusChrf, phonemeErrorRate, pronunciationErrorRates, wordErrorRate } from '@genloom/eval';
import {
  Seq2Seq,
  SymbolTokenizer,
  charPairTokenizers,
  createSeq2Seq,
  g2pTokenizers,
  resolveSeq2SeqConfig,
  seq2seqPresets,
  seq2seqTrainOptions,
  type Seq2SeqConfig,
  type Seq2SeqTokenizers,
  type TextPair,
} from '@genloom/transformer';
import { TRAINING_RECIPE_FIELDS, registerCliFamily, type CliFamily } from '../registry.js';

/** Held-out pairs decoded at each evaluation during training (the full split in `genloom eval`). */
const TRAIN_EVAL_PAIRS = 300;
const TSV_TEST_FRACTION = 0.1;

interface PairData {
  train: TextPair[];
  test: TextPair[];
  /** Tokenizers for a new model of this data. */
  tokenizers: () => Seq2SeqTokenizers;
  /** CMUdict: every pronunciation the dictionary lists for each held-out word. */
  pronunciations?: Pronunciations;
}

type Pronunciations = Map<string, Array<readonly string[]>>;

/** `source<TAB>target` lines; blank lines and lines starting with '#' are skipped. */
function parseTsv(text: string, path: string): Array<{ source: string; target: string }> {
  const pairs: Array<{ source: string; target: string }> = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new Error(`${path}:${i + 1}: expected "source<TAB>target", found no tab`);
    const source = line.slice(0, tab);
    const target = line.slice(tab + 1);
    if (source.length === 0 || target.length === 0) throw new Error(`${path}:${i + 1}: the source and the target must both be non-empty`);
    pairs.push({ source, target });
  });
  if (pairs.length === 0) throw new Error(`${path}: no "source<TAB>target" pairs`);
  return pairs;
}

async function loadPairs(spec: string): Promise<PairData> {
  if (spec.startsWith('tsv:')) {
    const path = spec.slice(4);
    const all = parseTsv(await readFile(path, 'utf8'), path);
    return {
      train: all.filter((p) => !isHeldOut(p.source, TSV_TEST_FRACTION)),
      test: all.filter((p) => isHeldOut(p.source, TSV_TEST_FRACTION)),
      tokenizers: () => charPairTokenizers(all),
    };
  }
  const desc = resolveDataSpec(spec);
  if (desc.modality !== 'pairs') throw new Error(`seq2seq trains on pairs; --data ${spec} is ${desc.modality} data (use cmudict or tsv:PATH)`);
  const [train, test] = await Promise.all([desc.load('train'), desc.load('test')]);
  const data: PairData = { train: [...train.pairs], test: [...test.pairs], tokenizers: () => g2pTokenizers(train) };
  if (spec === 'cmudict') data.pronunciations = await cmudictPronunciations({ split: 'test' });
  return data;
}

function asSeq2Seq(model: GenerativeModel): Seq2Seq {
  if (!(model instanceof Seq2Seq)) throw new Error(`expected a seq2seq checkpoint, got family "${model.family}"`);
  if (!model.sourceTokenizer || !model.targetTokenizer) throw new Error('this seq2seq checkpoint has no tokenizers saved with it');
  return model;
}

/** Phoneme targets (a SymbolTokenizer) are scored as pronunciations, others as text. */
const isPhonemes = (model: Seq2Seq) => model.targetTokenizer instanceof SymbolTokenizer;
const targetText = (p: TextPair) => (typeof p.target === 'string' ? p.target : p.target.join(' '));

/** Pairs the model can read (sources within maxSourceLength, targets within maxTargetLength). */
function fitting(model: Seq2Seq, pairs: TextPair[]): TextPair[] {
  const c = model.config;
  return pairs.filter((p) => model.encodeSource(p.source).length <= c.maxSourceLength && model.encodePairs([p])[0]!.target.length + 1 <= c.maxTargetLength);
}

/** Held-out loss and error rates of `pairs`, decoded with beam size `beamSize`. */
async function metrics(model: Seq2Seq, pairs: TextPair[], beamSize: number, pronunciations?: Pronunciations): Promise<Record<string, number>> {
  const usable = fitting(model, pairs);
  if (usable.length === 0) throw new Error('none of the held-out pairs fits the model (maxSourceLength / maxTargetLength)');
  const valLoss = await model.estimateLoss(model.batches(usable, { shuffle: false, batchSize: 256 }));
  const hyps = await model.translate(usable.map((p) => p.source), { beamSize, batchSize: 128 });
  const refs = usable.map(targetText);
  if (isPhonemes(model)) {
    // A pronunciation counts as one word: WER is the share of words with any phoneme wrong.
    const joined = (s: string) => s.split(' ').filter(Boolean).join('_') || '∅';
    const strict = { valLoss, wer: wordErrorRate(refs.map(joined), hyps.map(joined)).rate, per: phonemeErrorRate(refs, hyps).rate, words: usable.length };
    if (!pronunciations) return strict;
    const lenient = pronunciationErrorRates(usable.map((p) => pronunciations.get(p.source) ?? [targetText(p)]), hyps, { ignoreStress: true });
    return { ...strict, werNoStress: lenient.wer, perNoStress: lenient.per };
  }
  return {
    valLoss,
    cer: characterErrorRate(refs, hyps).rate,
    wer: wordErrorRate(refs, hyps).rate,
    bleu: corpusBleu(hyps, [refs]).score,
    chrf: corpusChrf(hyps, [refs]).score,
    pairs: usable.length,
  };
}

const adapter: CliFamily = {
  name: 'seq2seq',
  family: 'seq2seq',
  description: 'encoder-decoder transformer: grapheme-to-phoneme on CMUdict, or any source<TAB>target TSV; greedy and beam search; presets tiny, g2p-small',
  defaultData: 'cmudict',
  presets: Object.keys(seq2seqPresets),
  resumableFields: [...TRAINING_RECIPE_FIELDS, 'dropout', 'labelSmoothing'],
  async prepareTraining({ data, preset, overrides, seed, resumed }) {
    const pairs = await loadPairs(data);
    let model: Seq2Seq;
    if (resumed) {
      // Fine-tuning keeps the checkpoint's config (but for --set resumableFields) and tokenizers.
      model = asSeq2Seq(resumed);
    } else {
      const tokenizers = pairs.tokenizers();
      const longest = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
      const probe = createSeq2Seq(resolveSeq2SeqConfig({ sourceVocabSize: tokenizers.source.vocabSize, targetVocabSize: tokenizers.target.vocabSize }, 'tiny'), { tokenizers });
      const encoded = probe.encodePairs([...pairs.train, ...pairs.test]);
      probe.dispose();
      const config = resolveSeq2SeqConfig(
        {
          sourceVocabSize: tokenizers.source.vocabSize,
          targetVocabSize: tokenizers.target.vocabSize,
          maxSourceLength: longest(encoded.map((p) => p.source.length)),
          maxTargetLength: longest(encoded.map((p) => p.target.length)) + 1,
          ...(overrides as Partial<Seq2SeqConfig>),
        },
        preset ?? 'g2p-small',
      );
      model = createSeq2Seq(config, { seed, tokenizers });
    }
    const heldOut = pairs.test.slice(0, TRAIN_EVAL_PAIRS);
    return {
      model,
      data: model.batches(fitting(model, pairs.train), { seed }),
      trainOptions: seq2seqTrainOptions(model.config),
      evaluate: async () => metrics(model, heldOut, 1, pairs.pronunciations),
    };
  },
  async sample(model, args) {
    const s2s = asSeq2Seq(model);
    if (args.prompt === undefined) throw new Error('seq2seq sample needs --prompt (a word for g2p, a sentence for text pairs)');
    const beamSize = typeof args.flags.beam === 'number' ? args.flags.beam : 1;
    const options = { beamSize, ...(args.temperature !== undefined ? { temperature: args.temperature, seed: args.seed } : {}), ...(args.topK !== undefined ? { topK: args.topK } : {}), ...(args.topP !== undefined ? { topP: args.topP } : {}) };
    // g2p models know single words: pronounce each word of the prompt.
    const inputs = isPhonemes(s2s) ? args.prompt.toLowerCase().split(/\s+/).filter(Boolean) : [args.prompt];
    const outputs = await s2s.translate(inputs, options);
    const text = inputs.length === 1 ? outputs[0]! : inputs.map((w, i) => `${w}\t${outputs[i]}`).join('\n');
    return { text, json: { prompt: args.prompt, inputs, outputs, beamSize } };
  },
  async evaluate(model, data, flags) {
    const s2s = asSeq2Seq(model);
    const { test, pronunciations } = await loadPairs(data);
    const held = typeof flags.samples === 'number' ? test.slice(0, flags.samples) : test;
    return metrics(s2s, held, typeof flags.beam === 'number' ? flags.beam : 1, pronunciations);
  },
};

registerCliFamily(adapter);
