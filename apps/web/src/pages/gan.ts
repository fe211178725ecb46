/**
 * GAN page: for the GANs that sample from noise, a grid of generator samples for a seed (and, for a
 * class-conditional ACGAN, of one chosen digit), the ACGAN grid with one row per class and one noise
 * vector per column, and a walk through latent space between the noise vectors of two seeds, drawn
 * as a strip and stepped with a slider; for an image-to-image GAN (pix2pix), the emoji colouriser
 * (`gan-colorize.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import { sampleLatents, slerp, toUnitRange, type GAN } from '@genloom/gan';
import { loadModel, type SiteCheckpoint } from '../api.js';
import { h, numberInput, statusLine } from '../dom.js';
import { drawGrid } from '../images.js';
import { showCheckpoint } from './checkpoint-note.js';
import { renderColorizer } from './gan-colorize.js';

/** Samples in the main grid (8 × 8), and per class in the ACGAN grid. */
const GRID = 64;
const PER_CLASS = 10;
/** Frames of the latent walk, both ends included. */
const WALK_FRAMES = 16;

/** Pixels of generator output [N, H, W, C] in [0, 1], read back and disposed. */
async function pixelsOf(x: tf.Tensor): Promise<{ data: Float32Array; shape: number[] }> {
  const data = (await x.data()) as Float32Array;
  const shape = x.shape;
  x.dispose();
  return { data, shape };
}

/**
 * Renders the GAN page into `root` for the `gan` checkpoints in `list`; returns its cleanup.
 *
 * @example
 * ```ts
 * const cleanup = await render(document.getElementById('page')!, await checkpoints());
 * ```
 */
export async function render(root: HTMLElement, list: SiteCheckpoint[]): Promise<() => void> {
  const gans = list.filter((c) => c.family === 'gan');
  const samplers = gans.filter((c) => c.modality === 'image');
  const translators = gans.filter((c) => c.modality === 'image-to-image');
  root.append(
    h('h1', {}, 'Generative adversarial network'),
    h(
      'p',
      { class: 'lead' },
      samplers.length ? 'A generator that turns Gaussian noise z into a digit, trained against a discriminator that tells its digits from real ones. An ACGAN also gives the generator a class, and its discriminator names the class of what it sees, so one can ask for a particular digit.' : null,
      samplers.length && translators.length ? ' ' : null,
      translators.length ? 'A pix2pix GAN is given an image instead of noise and translates it: here, a grey emoji into a coloured one.' : null,
    ),
  );
  const cleanup = samplers.length ? await renderSamplers(root, samplers) : () => {};
  if (translators.length) await renderColorizer(root, translators);
  return cleanup;
}

/** The sections of the GANs that sample from noise (`gans`); returns their cleanup. */
async function renderSamplers(root: HTMLElement, gans: SiteCheckpoint[]): Promise<() => void> {
  const picker = h('select', { name: 'checkpoint', 'aria-label': 'checkpoint' }, ...gans.map((c) => h('option', { value: c.name }, `${c.name} — ${c.title}`)));
  const info = h('p', { class: 'note', id: 'gan-info' });
  const status = statusLine();
  root.append(
    h('div', { class: 'row' }, h('label', { class: 'field' }, h('span', {}, 'checkpoint'), picker)),
    info,
    status.el,
  );

  // ---- samples ---------------------------------------------------------------------------------
  const samplesCanvas = h('canvas', { id: 'gan-samples', class: 'pixels big' });
  const seed = numberInput('seed', { min: 0, max: 1e9, step: 1, value: 1, type: 'number', name: 'seed' });
  const truncation = numberInput('truncation', { min: 0.1, max: 1.5, step: 0.05, value: 1, name: 'truncation' });
  const classPick = h('select', { name: 'class', 'aria-label': 'class', id: 'gan-class' });
  const classField = h('label', { class: 'field' }, h('span', {}, 'class'), classPick);
  const again = h('button', { type: 'button', id: 'gan-resample' }, 'New samples');
  const samplesNote = h('p', { class: 'note' });
  root.append(h('section', { class: 'card' }, h('h2', {}, 'Samples'), samplesNote, h('div', { class: 'row' }, seed.row, truncation.row, classField, again), samplesCanvas));

  // ---- one row per class (ACGAN) ---------------------------------------------------------------
  const classCanvas = h('canvas', { id: 'gan-classes', class: 'pixels big' });
  const classSection = h(
    'section',
    { class: 'card', id: 'gan-class-grid' },
    h('h2', {}, 'Every class'),
    h('p', { class: 'note' }, `Row c is class c; each of the ${PER_CLASS} columns keeps one noise vector z. What the class does not fix (slant, thickness, width) is carried by z, so it stays the same down a column while the digit changes.`),
    classCanvas,
  );
  root.append(classSection);

  // ---- latent walk -----------------------------------------------------------------------------
  const seedA = numberInput('from seed', { min: 0, max: 1e9, step: 1, value: 3, type: 'number', name: 'walkFrom' });
  const seedB = numberInput('to seed', { min: 0, max: 1e9, step: 1, value: 4, type: 'number', name: 'walkTo' });
  const method = h('select', { name: 'path', 'aria-label': 'path' }, h('option', { value: 'spherical' }, 'spherical'), h('option', { value: 'linear' }, 'linear'));
  const walkClass = h('select', { name: 'walkClass', 'aria-label': 'walk class', id: 'gan-walk-class' });
  const walkClassField = h('label', { class: 'field' }, h('span', {}, 'class'), walkClass);
  const walk = numberInput('position', { min: 0, max: WALK_FRAMES - 1, step: 1, value: Math.floor(WALK_FRAMES / 2), name: 'walk' });
  walk.input.id = 'gan-walk-slider';
  const frameCanvas = h('canvas', { class: 'pixels medium', id: 'gan-walk-frame' });
  const stripCanvas = h('canvas', { class: 'pixels strip', id: 'gan-walk-strip' });
  root.append(
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Walk between two seeds'),
      h('p', { class: 'note' }, 'The noise vectors of two seeds, joined by a path through latent space (spherical keeps the norm Gaussian noise has, so every point is a typical z); each point is decoded. A smooth walk means the generator learned a continuous map, not a lookup of training digits.'),
      h('div', { class: 'row' }, seedA.row, seedB.row, h('label', { class: 'field' }, h('span', {}, 'path'), method), walkClassField),
      h('div', { class: 'row walk' }, h('div', {}, h('div', { class: 'caption' }, 'decoded point'), frameCanvas), walk.row),
      stripCanvas,
    ),
  );

  let gan: GAN | null = null;
  let walkFrames: { data: Float32Array; shape: number[] } | null = null;

  const classes = () => gan?.config.numClasses ?? 0;

  const showSamples = async () => {
    if (!gan) return;
    const model = gan;
    const k = classes();
    const label = k > 0 ? { label: Number(classPick.value) } : {};
    const s = seed.input.valueAsNumber || 0;
    const trunc = truncation.input.valueAsNumber;
    const x = tf.tidy(() => toUnitRange(model.generate(GRID, { seed: s, truncation: trunc, ...label }))); // [64, H, W, C]
    const { data, shape } = await pixelsOf(x);
    drawGrid(samplesCanvas, data, shape, 8);
    samplesCanvas.dataset.seed = String(s);
  };

  const showClassGrid = async () => {
    if (!gan || classes() === 0) return;
    const model = gan;
    const k = classes();
    const s = seed.input.valueAsNumber || 0;
    const trunc = truncation.input.valueAsNumber;
    const x = tf.tidy(() => {
      const z = tf.mul(sampleLatents(PER_CLASS, model.config.latentDim, s), trunc); // [N, Z]
      const zz = tf.tile(z, [k, 1]) as tf.Tensor2D; // [K·N, Z]: row c repeats the same N vectors
      const labels = Array.from({ length: k * PER_CLASS }, (_, i) => Math.floor(i / PER_CLASS));
      return toUnitRange(model.decode(zz, { labels })); // [K·N, H, W, C]
    });
    const { data, shape } = await pixelsOf(x);
    drawGrid(classCanvas, data, shape, PER_CLASS);
  };

  const showFrame = () => {
    if (!walkFrames) return;
    const i = walk.input.valueAsNumber;
    const [, hgt, wid, ch] = walkFrames.shape as [number, number, number, number];
    const size = hgt * wid * ch;
    drawGrid(frameCanvas, walkFrames.data.subarray(i * size, (i + 1) * size), [1, hgt, wid, ch], 1);
    walk.out.textContent = `t = ${(i / (WALK_FRAMES - 1)).toFixed(2)}`;
  };

  const computeWalk = async () => {
    if (!gan) return;
    const model = gan;
    const zDim = model.config.latentDim;
    const label = classes() > 0 ? { label: Number(walkClass.value) } : {};
    const x = tf.tidy(() => {
      const a = sampleLatents(1, zDim, seedA.input.valueAsNumber || 0); // [1, Z]
      const b = sampleLatents(1, zDim, seedB.input.valueAsNumber || 0); // [1, Z]
      const t = tf.linspace(0, 1, WALK_FRAMES).reshape([WALK_FRAMES, 1]); // [F, 1]
      const path = method.value === 'spherical' ? slerp(a, b, t) : (tf.add(a, tf.mul(t, tf.sub(b, a))) as tf.Tensor2D); // [F, Z]
      return toUnitRange(model.decode(path, label)); // [F, H, W, C]
    });
    walkFrames = await pixelsOf(x);
    drawGrid(stripCanvas, walkFrames.data, walkFrames.shape, WALK_FRAMES);
    showFrame();
  };

  const run = (fn: () => Promise<void>) => () => void fn().catch(status.error);
  const redrawSeeded = async () => {
    await showSamples();
    await showClassGrid();
  };
  again.addEventListener('click', run(async () => {
    seed.input.value = String((seed.input.valueAsNumber || 0) + 1);
    await redrawSeeded();
  }));
  seed.input.addEventListener('change', run(redrawSeeded));
  truncation.input.addEventListener('change', run(redrawSeeded));
  classPick.addEventListener('change', run(showSamples));
  walk.input.addEventListener('input', showFrame);
  for (const el of [seedA.input, seedB.input, method, walkClass]) el.addEventListener('change', run(computeWalk));

  const open = async () => {
    const name = picker.value;
    const entry = gans.find((c) => c.name === name)!;
    status.set(`loading ${name}…`);
    gan = (await loadModel<GAN>(name)).model;
    const c = gan.config;
    const k = c.numClasses;
    const kind = `${k > 0 ? 'ACGAN' : c.loss === 'wasserstein' ? 'WGAN-GP' : 'GAN'} (${c.architecture.toUpperCase()}, ${c.loss} loss)`;
    showCheckpoint(info, entry, `${kind}: latent ${c.latentDim}, output ${c.outputShape.join('×')}, generator channels ${c.generatorChannels.join('-')}${k > 0 ? `, ${k} classes` : ''}`);
    // The class controls exist only for a conditional model.
    const digitOptions = () => Array.from({ length: k }, (_, d) => h('option', { value: d }, String(d)));
    classPick.replaceChildren(...digitOptions());
    walkClass.replaceChildren(...digitOptions());
    if (k > 0) classPick.value = walkClass.value = String(Math.min(7, k - 1));
    classField.hidden = walkClassField.hidden = classSection.hidden = k === 0;
    samplesNote.textContent =
      k > 0
        ? `${GRID} digits of the chosen class, each from its own z ~ N(0, truncation²·I) drawn from the seed: lower truncation gives more typical, less varied digits.`
        : 'z ~ N(0, truncation²·I) from the seed, decoded by the generator: lower truncation gives more typical, less varied digits.';
    await redrawSeeded();
    await computeWalk();
    status.set('');
    root.dataset.model = name;
  };
  picker.addEventListener('change', run(open));
  await open();
  return () => {
    gan = null;
    walkFrames = null;
  };
}
