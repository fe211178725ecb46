/**
 * The text side of prompt conditioning: core's character tokenizer over a fixed alphabet, and a
 * small character CNN that maps a prompt to one vector the U-Net adds to its time embedding.
 *
 * Why a character CNN with max-pooling and not a transformer: the prompts are short phrases whose
 * meaning sits in one or two words ("a thin 7", "the digit seven"). A convolution as wide as a
 * word plus its spaces learns word detectors within a few hundred steps, and max-pooling over the
 * positions makes the result independent of where the word stands and of words it has never seen
 * (they only add activations no detector was trained on). It costs a few MFLOP per prompt.
 */
import * as tf from '@tensorflow/tfjs';
import { CharTokenizer, Dense, Embedding, Module, type Rng } from '@genloom/core';
import type { DiffusionConfig } from './config.js';

/**
 * Normalises a prompt the way the encoder saw its captions: lower case, runs of white space as one
 * space, one space at each end (so word boundaries are visible to the convolution).
 *
 * @example
 * ```ts
 * normalizePrompt('  A handwritten   Seven'); // ' a handwritten seven '
 * ```
 */
export function normalizePrompt(prompt: string): string {
  return ` ${prompt.toLowerCase().replace(/\s+/g, ' ').trim()} `;
}

/**
 * Core's {@link CharTokenizer} over a model's prompt alphabet, with `<pad>` and `<unk>`: a
 * character outside the alphabet becomes `<unk>`, never an error.
 *
 * @example
 * ```ts
 * const tok = promptTokenizer(config);
 * tok.encode(' a 7 ');
 * ```
 */
export function promptTokenizer(config: Pick<DiffusionConfig, 'promptAlphabet'>): CharTokenizer {
  return new CharTokenizer(config.promptAlphabet, { specialTokens: { pad: '<pad>', unk: '<unk>' }, onUnknown: 'unk' });
}

/**
 * Token ids `[B, L]` (L = `maxPromptLength`) and a 0/1 mask of the real characters, for a batch of
 * prompts. Prompts longer than L are cut; empty prompts keep their two spaces.
 *
 * @example
 * ```ts
 * const { ids, mask } = encodePrompts(['a seven', 'the digit 3'], promptTokenizer(config), 40);
 * ```
 */
export function encodePrompts(prompts: readonly string[], tokenizer: CharTokenizer, maxLength: number): { ids: tf.Tensor2D; mask: tf.Tensor2D } {
  const pad = tokenizer.specialIds.pad!;
  const ids = new Int32Array(prompts.length * maxLength).fill(pad);
  const mask = new Float32Array(prompts.length * maxLength);
  prompts.forEach((p, i) => {
    const encoded = tokenizer.encode(normalizePrompt(p)).subarray(0, maxLength);
    ids.set(encoded, i * maxLength);
    mask.fill(1, i * maxLength, i * maxLength + encoded.length);
  });
  return { ids: tf.tensor2d(ids, [prompts.length, maxLength], 'int32'), mask: tf.tensor2d(mask, [prompts.length, maxLength]) };
}

/** The `[k, in, out]` filter of a 1-D convolution over characters. */
class CharConv extends Module {
  readonly filter: tf.Variable;
  readonly bias: tf.Variable;

  constructor(kernel: number, inDim: number, outDim: number, rng: Rng) {
    super();
    const limit = 1 / Math.sqrt(kernel * inDim);
    this.filter = this.addParam('filter', () => tf.randomUniform([kernel, inDim, outDim], -limit, limit, 'float32', rng.tfSeed()));
    this.bias = this.addParam('bias', () => tf.zeros([outDim]));
  }

  forward(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => tf.add(tf.conv1d(x, this.filter as tf.Tensor3D, 1, 'same'), this.bias) as tf.Tensor3D);
  }
}

/**
 * Prompt → condition vector: character embeddings `[B, L, d]` → a word-wide convolution
 * `[B, L, F]` → ReLU → max over the real characters `[B, F]` → dense `[B, embDim]`.
 *
 * @example
 * ```ts
 * const enc = new PromptEncoder(config, new Rng(0));
 * const { ids, mask } = encodePrompts(['a handwritten seven'], enc.tokenizer, config.maxPromptLength);
 * enc.forward(ids, mask); // [1, embDim]
 * ```
 */
export class PromptEncoder extends Module {
  readonly tokenizer: CharTokenizer;
  readonly maxLength: number;
  private readonly chars: Embedding;
  private readonly conv: CharConv;
  private readonly proj: Dense;

  constructor(config: DiffusionConfig, rng: Rng) {
    super();
    this.tokenizer = promptTokenizer(config);
    this.maxLength = config.maxPromptLength;
    this.chars = this.addChild('chars', new Embedding({ numEmbeddings: this.tokenizer.vocabSize, dim: config.textEmbDim, rng, std: 1 }));
    this.conv = this.addChild('conv', new CharConv(config.textKernel, config.textEmbDim, config.textFilters, rng));
    this.proj = this.addChild('proj', new Dense({ inputDim: config.textFilters, units: config.embDim, rng }));
  }

  /** Encodes prompt strings: `[B, embDim]`. @example `enc.encode(['a 7', 'a thin one'])` */
  encode(prompts: readonly string[]): tf.Tensor2D {
    const { ids, mask } = encodePrompts(prompts, this.tokenizer, this.maxLength);
    const out = this.forward(ids, mask);
    tf.dispose([ids, mask]);
    return out;
  }

  /** @example `enc.forward(ids, mask) // [B, embDim]` */
  forward(ids: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const h = tf.relu(this.conv.forward(this.chars.forward(ids) as tf.Tensor3D)); // [B, L, F]
      // Padding positions get a large negative offset so the max is taken over real characters.
      const masked = tf.add(h, tf.mul(tf.sub(mask, 1), 1e4).expandDims(2)); // [B, L, F]
      return this.proj.forward(tf.max(masked, 1)) as tf.Tensor2D; // [B, embDim]
    });
  }
}
