/**
 * Twemoji sprites (Twitter's emoji, CC-BY 4.0) from the sprite sheets of `emoji-datasource-twitter`,
 * labelled with their Unicode category ("Smileys & Emotion", "Flags"…) from its `emoji.json`.
 */
import { packageFile, readDataFile } from './files.js';
import type { ImageSet } from './image-set.js';
import { makeImageSet } from './image-set.js';
import type { PixelScale } from './normalize.js';
import { clearTransparent, decodePng } from './png.js';
import type { RgbaImage } from './png.js';
import type { Split } from './split.js';
import { checkSplit, isHeldOut } from './split.js';

/** Sprite sizes that ship as sheets in `emoji-datasource-twitter`. */
export const EMOJI_SIZES: readonly number[] = [16, 20, 32, 64];

/** The emoji categories, in the order of the package's `categories.json` (the label order). */
export const EMOJI_CATEGORIES: readonly string[] = [
  'Smileys & Emotion',
  'People & Body',
  'Component',
  'Animals & Nature',
  'Food & Drink',
  'Travel & Places',
  'Activities',
  'Objects',
  'Symbols',
  'Flags',
];

/** Fraction of emoji held out as the `test` split (by a hash of the code point sequence). */
export const EMOJI_TEST_FRACTION = 0.1;

/** Options of {@link loadEmoji}. */
export interface LoadEmojiOptions {
  /** Side of the square sprites: 16, 20, 32 (default) or 64. */
  size?: number;
  /** Keep only these categories; labels then index into this list, in this order. */
  categories?: readonly string[];
  /** `train` (default, ≈90%) or `test` (≈10%). */
  split?: Split;
  /** Include the skin-tone variants of people emoji (they follow their base emoji's split). */
  skinTones?: boolean;
  /** Pixel scaling (default `zero-one`). */
  normalize?: PixelScale;
}

interface EmojiEntry {
  unified: string;
  category: string;
  sort_order: number;
  sheet_x: number;
  sheet_y: number;
  has_img_twitter?: boolean;
  skin_variations?: Record<string, { unified: string; sheet_x: number; sheet_y: number; has_img_twitter?: boolean }>;
}

interface Sprite {
  /** Code points of the base emoji: decides the split. */
  key: string;
  /** Code points of this sprite (the base emoji's, or a skin-tone variant's). */
  unified: string;
  category: string;
  x: number;
  y: number;
}

// The last decoded sheet (18 MB of RGBA at 32 px, 67 MB at 64 px): loading the test split after
// the training split should not decode the same PNG again, which takes a second or more.
let lastSheet: { size: number; sheet: Promise<RgbaImage> } | undefined;

/**
 * Loads Twemoji sprites as [N, size, size, 4] RGBA images with their category as label and their
 * code points (`1F600`, `1F385-1F3FB`) as keys. Fully transparent pixels are black (0, 0, 0, 0).
 * The 1,911 base emoji split into 1,747 train / 164 test; with `skinTones`, 3,542 / 244 sprites.
 * The decoded sheet of the last size used stays in memory (18 MB at 32 px) for the other split.
 *
 * @example
 * ```ts
 * const emoji = await loadEmoji({ size: 32 });                       // all categories, train split
 * emoji.shape;       // [1747, 32, 32, 4]
 * const faces = await loadEmoji({ categories: ['Smileys & Emotion'], split: 'test' });
 * ```
 */
export async function loadEmoji(options: LoadEmojiOptions = {}): Promise<ImageSet> {
  const size = options.size ?? 32;
  if (!EMOJI_SIZES.includes(size)) {
    throw new Error(`loadEmoji: size must be one of ${EMOJI_SIZES.join(', ')} (the shipped sprite sheets), got ${size}`);
  }
  const split = checkSplit(options.split ?? 'train', 'loadEmoji');
  const categories = options.categories ?? EMOJI_CATEGORIES;
  for (const c of categories) {
    if (!EMOJI_CATEGORIES.includes(c)) {
      throw new Error(`loadEmoji: unknown category ${JSON.stringify(c)}; valid: ${EMOJI_CATEGORIES.join(', ')}`);
    }
  }
  const sprites = (await emojiSprites(options.skinTones ?? false)).filter(
    (s) => categories.includes(s.category) && isHeldOut(s.key, EMOJI_TEST_FRACTION) === (split === 'test'),
  );
  if (sprites.length === 0) throw new Error(`loadEmoji: no emoji in categories ${categories.join(', ')} (${split})`);

  const sheet = await loadSheet(size);
  const cell = size + 2; // every sprite has a 1-pixel transparent border in the sheet
  const pixels = new Uint8Array(sprites.length * size * size * 4);
  const labels = new Int32Array(sprites.length);
  sprites.forEach((s, k) => {
    labels[k] = categories.indexOf(s.category);
    for (let row = 0; row < size; row++) {
      const from = ((s.y * cell + 1 + row) * sheet.width + s.x * cell + 1) * 4;
      pixels.set(sheet.data.subarray(from, from + size * 4), (k * size + row) * size * 4);
    }
  });
  return makeImageSet({
    pixels,
    shape: [sprites.length, size, size, 4],
    labels,
    classNames: categories,
    keys: sprites.map((s) => s.unified),
    sourceMax: 255,
    normalize: options.normalize,
  });
}

async function emojiSprites(skinTones: boolean): Promise<Sprite[]> {
  const path = packageFile('emoji-datasource-twitter', 'emoji.json');
  const entries = JSON.parse(new TextDecoder().decode(await readDataFile(path, 'emoji list'))) as EmojiEntry[];
  const sprites: Sprite[] = [];
  for (const e of [...entries].sort((a, b) => a.sort_order - b.sort_order)) {
    if (e.has_img_twitter === false) continue;
    sprites.push({ key: e.unified, unified: e.unified, category: e.category, x: e.sheet_x, y: e.sheet_y });
    if (!skinTones || !e.skin_variations) continue;
    for (const tone of Object.keys(e.skin_variations).sort()) {
      const v = e.skin_variations[tone]!;
      if (v.has_img_twitter === false) continue;
      sprites.push({ key: e.unified, unified: v.unified, category: e.category, x: v.sheet_x, y: v.sheet_y });
    }
  }
  return sprites;
}

function loadSheet(size: number): Promise<RgbaImage> {
  if (lastSheet?.size !== size) {
    const path = packageFile('emoji-datasource-twitter', 'img', 'twitter', 'sheets', `${size}.png`);
    const sheet = readDataFile(path, 'emoji sprite sheet').then((bytes) => clearTransparent(decodePng(bytes, path)));
    lastSheet = { size, sheet };
    sheet.catch(() => {
      if (lastSheet?.sheet === sheet) lastSheet = undefined;
    });
  }
  return lastSheet.sheet;
}
