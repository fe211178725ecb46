/**
 * Captions made from labels, so a prompt-conditioned model learns from a labelled image set
 * ("a handwritten seven", "the digit 7", "a thin 1", "a bold eight"…). The stroke adjectives are
 * true of the image: "thin" goes to the third of each class with the least ink, "bold" to the third with
 * the most.
 */
import type { Rng } from '@genloom/core';
import { DIGIT_WORDS } from './config.js';

/** How much ink an image has relative to its class. */
export type StrokeStyle = 'thin' | 'bold' | 'plain';

const STYLE_WORDS: Record<StrokeStyle, readonly string[]> = {
  thin: ['thin', 'light', 'skinny', 'thin handwritten'],
  bold: ['bold', 'thick', 'heavy', 'bold handwritten'],
  plain: ['handwritten', 'neat', 'written'],
};

/**
 * The words a class can be called by: a digit class has its numeral and its English word, any
 * other class its name in lower case with `_`/`-` as spaces.
 *
 * @example
 * ```ts
 * classWords('7');        // ['7', 'seven']
 * classWords('Smileys');  // ['smileys']
 * ```
 */
export function classWords(name: string): string[] {
  const trimmed = name.trim();
  if (/^[0-9]$/.test(trimmed)) return [trimmed, DIGIT_WORDS[Number(trimmed)]!];
  return [trimmed.toLowerCase().replace(/[_-]+/g, ' ')];
}

function article(word: string): string {
  return /^[aeiou8]/.test(word) || word === '11' || word === '18' ? 'an' : 'a';
}

/**
 * A caption for an image of class `label`, drawn with `rng` from a set of templates.
 *
 * @example
 * ```ts
 * captionFor(7, ['0', …, '9'], rng, 'thin'); // e.g. 'a thin seven', 'the digit 7', 'seven'
 * ```
 */
export function captionFor(label: number, classNames: readonly string[], rng: Rng, style: StrokeStyle = 'plain'): string {
  const name = classNames[label];
  if (name === undefined) throw new Error(`captionFor: label ${label} is outside 0..${classNames.length - 1}`);
  const words = classWords(name);
  const word = words[rng.int(words.length)]!;
  const isDigit = /^[0-9]$/.test(name.trim());
  const kind = isDigit ? 'digit' : 'picture of';
  const adjectives = style === 'plain' ? STYLE_WORDS.plain : rng.float() < 0.75 ? STYLE_WORDS[style] : STYLE_WORDS.plain;
  const adj = adjectives[rng.int(adjectives.length)]!;
  const templates = [
    () => word,
    () => `${article(word)} ${word}`,
    () => `${article(adj)} ${adj} ${word}`,
    () => `${article(adj)} ${adj} ${word}`,
    () => `the ${kind} ${word}`,
    () => `${article(kind)} ${kind} ${word}`,
    () => `${isDigit ? 'number' : 'a'} ${word}`,
    () => `${article(adj)} ${adj} ${isDigit ? 'digit' : ''} ${word}`.replace(/ +/g, ' '),
  ];
  const caption = templates[rng.int(templates.length)]!();
  return style !== 'plain' && !caption.includes(adj) && rng.float() < 0.5 ? `${article(adj)} ${adj} ${word}` : caption;
}

/**
 * The caption a label stands for when a prompt-conditioned model is asked for a label.
 *
 * @example
 * ```ts
 * canonicalCaption(7, mnistClasses); // 'a handwritten seven'
 * ```
 */
export function canonicalCaption(label: number, classNames: readonly string[]): string {
  const name = classNames[label];
  if (name === undefined) throw new Error(`label ${label} is outside 0..${classNames.length - 1} (classes: ${classNames.join(', ')})`);
  const words = classWords(name);
  const word = words[words.length - 1]!;
  return /^[0-9]$/.test(name.trim()) ? `a handwritten ${word}` : word;
}

/**
 * The stroke style of each image: its ink (sum of pixel values) against the tertiles of its class.
 *
 * @example
 * ```ts
 * const styles = strokeStyles(set.images, 784, set.labels); // 'thin' | 'bold' | 'plain' per image
 * ```
 */
export function strokeStyles(images: ArrayLike<number>, pixelsPerImage: number, labels: ArrayLike<number>): StrokeStyle[] {
  const n = labels.length;
  const ink = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * pixelsPerImage; j < (i + 1) * pixelsPerImage; j++) s += images[j]!;
    ink[i] = s;
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = byClass.get(labels[i]!) ?? [];
    list.push(ink[i]!);
    byClass.set(labels[i]!, list);
  }
  const cuts = new Map<number, [number, number]>();
  for (const [label, values] of byClass) {
    values.sort((a, b) => a - b);
    const third = Math.floor(values.length / 3);
    cuts.set(label, [values[third]!, values[values.length - 1 - third]!]);
  }
  return Array.from({ length: n }, (_, i) => {
    const [lo, hi] = cuts.get(labels[i]!)!;
    return ink[i]! < lo ? 'thin' : ink[i]! > hi ? 'bold' : 'plain';
  });
}
