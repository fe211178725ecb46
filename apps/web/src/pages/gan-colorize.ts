/**
 * The GAN page's colouriser: a pix2pix model (an image-to-image GAN) given the greyscale version of
 * a held-out Twemoji sprite invents its colours. The sprite is turned grey exactly as the model's
 * training pairs were (`grayscaleInputs`: BT.601 luma, alpha kept), and the page shows the
 * original, that input and the model's output side by side.
 */
import * as tf from '@tensorflow/tfjs';
import { grayscaleInputs, LUMA_WEIGHTS, toUnitRange, type Pix2Pix } from '@genloom/gan';
import { emojiSprites, loadModel, type EmojiSprites, type SiteCheckpoint } from '../api.js';
import { h, statusLine } from '../dom.js';
import { drawGrid } from '../images.js';
import { showCheckpoint } from './checkpoint-note.js';

/** The sprite shown first: a face, whose yellow the model should find. */
const FIRST_SPRITE = 0;

/** Grey input and colourised output of one RGBA sprite, [2, H, W, 4] in [0, 1], read back and disposed. */
async function colorize(model: Pix2Pix, rgba: Float32Array, [hgt, wid, ch]: readonly number[]): Promise<Float32Array> {
  const pair = tf.tidy(() => {
    const sprite = tf.tensor4d(rgba, [1, hgt!, wid!, ch!]); // [1, H, W, 4] in [0, 1]
    const grey = grayscaleInputs(sprite); // [1, H, W, 2]: luma, alpha in [-1, 1]
    const colour = toUnitRange(model.translate(grey)); // [1, H, W, 4]
    const [luma, alpha] = tf.split(toUnitRange(grey), 2, 3);
    const greyRgba = tf.concat([luma!, luma!, luma!, alpha!], 3); // [1, H, W, 4]: the input, drawable
    return tf.concat([greyRgba, colour], 0); // [2, H, W, 4]
  });
  const data = (await pair.data()) as Float32Array;
  pair.dispose();
  return data;
}

/** Mean absolute difference of two images' RGB where the original is visible, in [0, 1] pixel units. */
function colourError(made: Float32Array, truth: Float32Array): number {
  let sum = 0;
  let weight = 0;
  for (let p = 0; p < truth.length; p += 4) {
    const a = truth[p + 3]!;
    for (let k = 0; k < 3; k++) sum += a * Math.abs(made[p + k]! - truth[p + k]!);
    weight += 3 * a;
  }
  return weight > 0 ? sum / weight : 0;
}

/** "U+1F468 U+200D U+1F467" from "1F468-200D-1F467". */
const codePoints = (key: string) => key.split('-').map((c) => `U+${c}`).join(' ');

/**
 * Appends the "Colour an emoji" section for the image-to-image GAN checkpoints in `translators` to
 * `root`; resolves once the first sprite is coloured.
 *
 * @example
 * ```ts
 * await renderColorizer(root, list.filter((c) => c.modality === 'image-to-image'));
 * ```
 */
export async function renderColorizer(root: HTMLElement, translators: SiteCheckpoint[]): Promise<void> {
  const picker = h('select', { name: 'translator', 'aria-label': 'colouriser checkpoint', id: 'colorize-checkpoint' }, ...translators.map((c) => h('option', { value: c.name }, `${c.name} — ${c.title}`)));
  const pickerRow = h('div', { class: 'row' }, h('label', { class: 'field' }, h('span', {}, 'checkpoint'), picker));
  pickerRow.hidden = translators.length < 2;
  const info = h('p', { class: 'note', id: 'colorize-info' });
  const status = statusLine();
  const canvas = (id: string) => h('canvas', { class: 'pixels medium rgba', id });
  const original = canvas('colorize-original');
  const grey = canvas('colorize-grey');
  const output = canvas('colorize-output');
  const figure = (c: HTMLCanvasElement, caption: string) => h('figure', {}, c, h('figcaption', { class: 'caption' }, caption));
  const spriteName = h('p', { class: 'note', id: 'colorize-sprite' });
  const error = h('p', { class: 'note', id: 'colorize-error' });
  const gallery = h('div', { class: 'sprite-gallery', id: 'colorize-gallery', role: 'group', 'aria-label': 'emoji to colour' });
  const section = h(
    'section',
    { class: 'card', id: 'colorize' },
    h('h2', {}, 'Colour an emoji'),
    h(
      'p',
      { class: 'note' },
      `pix2pix: a U-Net generator maps the greyscale sprite (luma = ${LUMA_WEIGHTS[0]} R + ${LUMA_WEIGHTS[1]} G + ${LUMA_WEIGHTS[2]} B, alpha kept) to RGBA, trained against a PatchGAN discriminator that judges (grey, colour) pairs patch by patch, plus an L1 pull towards the true colours. Grey does not say which colour a pixel had, so the model has to guess from shapes it has seen. These sprites were held out of its training.`,
    ),
    pickerRow,
    info,
    status.el,
    h('div', { class: 'row colorize' }, figure(original, 'original'), figure(grey, 'greyscale input (what the model sees)'), figure(output, 'coloured by the model')),
    spriteName,
    error,
    h('h3', {}, 'Choose an emoji'),
    gallery,
  );
  root.append(section);

  const sprites: EmojiSprites = await emojiSprites();
  let model: Pix2Pix | null = null;
  let current = FIRST_SPRITE;

  const buttons = Array.from({ length: sprites.count }, (_, i) => {
    const thumb = h('canvas', { class: 'pixels rgba' });
    drawGrid(thumb, sprites.pixels(i), [1, ...sprites.size], 1);
    const label = `${sprites.categories[i]}: ${codePoints(sprites.keys[i]!)}`;
    return h('button', { type: 'button', 'data-index': i, title: label, 'aria-label': label, 'aria-pressed': 'false' }, thumb);
  });
  gallery.append(...buttons);

  const show = async (i: number) => {
    if (!model) return;
    current = i;
    const truth = sprites.pixels(i);
    const [hgt, wid, ch] = sprites.size;
    const pair = await colorize(model, truth, sprites.size);
    if (current !== i) return; // another sprite was chosen meanwhile
    const size = hgt * wid * ch;
    drawGrid(original, truth, [1, hgt, wid, ch], 1);
    drawGrid(grey, pair.subarray(0, size), [1, hgt, wid, ch], 1);
    const made = pair.subarray(size);
    drawGrid(output, made, [1, hgt, wid, ch], 1);
    buttons.forEach((b, k) => b.setAttribute('aria-pressed', String(k === i)));
    spriteName.textContent = `${sprites.categories[i]} — ${codePoints(sprites.keys[i]!)}`;
    const err = colourError(made, truth);
    error.textContent = `Mean colour error on this sprite: ${err.toFixed(3)} (0 is perfect, per channel in [0, 1], weighted by the original's opacity).`;
    output.dataset.sprite = String(i);
  };

  const run = (fn: () => Promise<void>) => void fn().catch(status.error);
  gallery.addEventListener('click', (e) => {
    const button = (e.target as Element).closest('button');
    if (button?.dataset.index !== undefined) run(() => show(Number(button.dataset.index)));
  });

  const open = async () => {
    const entry = translators.find((c) => c.name === picker.value)!;
    status.set(`loading ${entry.name}…`);
    model = (await loadModel<Pix2Pix>(entry.name)).model;
    const c = model.config;
    showCheckpoint(info, entry, `pix2pix (${c.generatorChannels.length}-level U-Net generator, channels ${c.generatorChannels.join('-')}; PatchGAN discriminator; ${c.loss} loss, L1 weight ${c.l1Weight}): [luma, alpha] → RGBA at ${c.outputShape[0]}×${c.outputShape[1]}`);
    await show(current);
    status.set('');
    section.dataset.model = entry.name;
  };
  picker.addEventListener('change', () => run(open));
  await open();
}
