/**
 * VAE page: a grid of samples from the prior, a slider that walks through latent space between two
 * real digits, and a canvas to draw a digit on and see its reconstruction and anomaly score
 * (−ELBO in nats against the threshold calibrated on the MNIST test split at 1% false positives).
 */
import * as tf from '@tensorflow/tfjs';
import { complexityBits, interpolateLatents, type VAE } from '@genloom/vae';
import { loadModel, realDigits, type SiteCheckpoint } from '../api.js';
import { fmt, h, numberInput, statusLine } from '../dom.js';
import { canvasToDigit, drawGrid, paintDigit } from '../images.js';

const GRID = 64;
const WALK_STEPS = 21;

export async function render(root: HTMLElement, list: SiteCheckpoint[]): Promise<() => void> {
  const vaes = list.filter((c) => c.family === 'vae');
  const picker = h('select', { name: 'checkpoint', 'aria-label': 'checkpoint' }, ...vaes.map((c) => h('option', { value: c.name }, `${c.name} — ${c.title}`)));
  const info = h('p', { class: 'note' });
  const status = statusLine();
  root.append(h('h1', {}, 'Variational autoencoder'), h('div', { class: 'row' }, h('label', { class: 'field' }, h('span', {}, 'checkpoint'), picker)), info, status.el);

  // ---- samples ---------------------------------------------------------------------------------
  const samplesCanvas = h('canvas', { id: 'vae-samples', class: 'pixels big' });
  const seed = numberInput('seed', { min: 0, max: 1e9, step: 1, value: 1, type: 'number', name: 'seed' });
  const temp = numberInput('temperature', { min: 0.1, max: 1.5, step: 0.05, value: 1, name: 'temperature' });
  const again = h('button', { type: 'button', id: 'vae-resample' }, 'New samples');
  root.append(h('section', { class: 'card' }, h('h2', {}, 'Samples from the prior'), h('p', { class: 'note' }, 'z ~ N(0, temperature²·I), decoded: lower temperature gives more typical, less varied digits.'), h('div', { class: 'row' }, seed.row, temp.row, again), samplesCanvas));

  // ---- latent walk -----------------------------------------------------------------------------
  const digitSelect = (name: string, value: number) => h('select', { name, 'aria-label': name }, ...Array.from({ length: 10 }, (_, d) => h('option', { value: d, selected: d === value }, String(d))));
  const fromDigit = digitSelect('from', 3);
  const toDigit = digitSelect('to', 8);
  const method = h('select', { name: 'method', 'aria-label': 'interpolation' }, h('option', { value: 'linear' }, 'linear'), h('option', { value: 'spherical' }, 'spherical'));
  const walk = numberInput('position', { min: 0, max: WALK_STEPS - 1, step: 1, value: Math.floor(WALK_STEPS / 2), name: 'walk' });
  walk.input.id = 'vae-walk-slider';
  const fromCanvas = h('canvas', { class: 'pixels small', id: 'vae-walk-from' });
  const toCanvas = h('canvas', { class: 'pixels small', id: 'vae-walk-to' });
  const frameCanvas = h('canvas', { class: 'pixels medium', id: 'vae-walk-frame' });
  const stripCanvas = h('canvas', { class: 'pixels strip', id: 'vae-walk-strip' });
  root.append(
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Walk between two digits'),
      h('p', { class: 'note' }, 'Two real MNIST test digits are encoded to their posterior means; the slider moves along the path between the codes and decodes each point.'),
      h('div', { class: 'row' }, h('label', { class: 'field' }, h('span', {}, 'from'), fromDigit), h('label', { class: 'field' }, h('span', {}, 'to'), toDigit), h('label', { class: 'field' }, h('span', {}, 'path'), method)),
      h('div', { class: 'row walk' }, h('div', {}, h('div', { class: 'caption' }, 'from'), fromCanvas), h('div', {}, h('div', { class: 'caption' }, 'decoded point'), frameCanvas), h('div', {}, h('div', { class: 'caption' }, 'to'), toCanvas)),
      walk.row,
      stripCanvas,
    ),
  );

  // ---- draw ------------------------------------------------------------------------------------
  const pad = h('canvas', { id: 'vae-draw', class: 'drawpad', width: 280, height: 280 });
  const recon = h('canvas', { class: 'pixels medium', id: 'vae-recon' });
  const input28 = h('canvas', { class: 'pixels medium', id: 'vae-input' });
  const verdict = h('p', { id: 'vae-score', class: 'score' }, 'Draw a digit (white on black), or load a real one.');
  const clearBtn = h('button', { type: 'button', id: 'vae-clear' }, 'Clear');
  const realBtn = h('button', { type: 'button', id: 'vae-real' }, 'A real digit');
  const noiseBtn = h('button', { type: 'button', id: 'vae-noise' }, 'Noise');
  root.append(
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Draw a digit: reconstruction and anomaly score'),
      h('p', { class: 'note' }, 'The drawing is scaled and centred as MNIST digits were (20-pixel box, centre of mass in the middle of 28×28). A model trained on MNIST explains digits like its training data well; the score is −ELBO in nats, compared with the threshold the CLI calibrated on the test split (1% of real test digits score above it).'),
      h('div', { class: 'row' }, pad, h('div', {}, h('div', { class: 'caption' }, 'input (28×28)'), input28), h('div', {}, h('div', { class: 'caption' }, 'reconstruction'), recon)),
      h('div', { class: 'row' }, clearBtn, realBtn, noiseBtn),
      verdict,
    ),
  );

  let vae: VAE | null = null;
  let walkFrames: Float32Array | null = null;
  let realPick = 0;

  const showSamples = async () => {
    if (!vae) return;
    const x = vae.sample(GRID, { seed: seed.input.valueAsNumber || 0, temperature: temp.input.valueAsNumber });
    const data = await x.data();
    x.dispose();
    drawGrid(samplesCanvas, data, [GRID, 28, 28, 1], 8);
  };

  const showFrame = () => {
    if (!walkFrames) return;
    const i = walk.input.valueAsNumber;
    drawGrid(frameCanvas, walkFrames.subarray(i * 784, (i + 1) * 784), [1, 28, 28, 1], 1);
    walk.out.textContent = `t = ${(i / (WALK_STEPS - 1)).toFixed(2)}`;
  };

  const computeWalk = async () => {
    if (!vae) return;
    const digits = await realDigits();
    const a = digits.pixels(digits.firstOf(Number(fromDigit.value)));
    const b = digits.pixels(digits.firstOf(Number(toDigit.value)));
    drawGrid(fromCanvas, a, [1, 28, 28, 1], 1);
    drawGrid(toCanvas, b, [1, 28, 28, 1], 1);
    const model = vae;
    const frames = tf.tidy(() => {
      const za = model.encode(tf.tensor4d(a, [1, 28, 28, 1])).mean; // [1, L]
      const zb = model.encode(tf.tensor4d(b, [1, 28, 28, 1])).mean; // [1, L]
      return model.decode(interpolateLatents(za, zb, WALK_STEPS, method.value as 'linear' | 'spherical')); // [S, 28, 28, 1]
    });
    walkFrames = (await frames.data()) as Float32Array;
    frames.dispose();
    drawGrid(stripCanvas, walkFrames, [WALK_STEPS, 28, 28, 1], WALK_STEPS);
    showFrame();
  };

  const score = async () => {
    if (!vae) return;
    const digit = canvasToDigit(pad);
    if (!digit) {
      verdict.textContent = 'The canvas is empty: draw a digit.';
      return;
    }
    drawGrid(input28, digit, [1, 28, 28, 1], 1);
    const model = vae;
    const cal = model.calibration;
    const [xHat, s] = tf.tidy(() => {
      const x = tf.tensor4d(digit, [1, 28, 28, 1]);
      return [model.reconstruct(x), model.anomalyScore(x, { method: cal?.method ?? 'negElbo', samples: Math.max(8, cal?.samples ?? 1), seed: 0 })];
    });
    const [pixels, value] = await Promise.all([xHat.data(), s.data()]);
    tf.dispose([xHat, s]);
    drawGrid(recon, pixels, [1, 28, 28, 1], 1);
    let v = value[0]!;
    if (cal?.complexitySlope !== undefined) {
      // the calibration's input-complexity correction: less the nats that the drawing's compressed size explains
      const x = tf.tensor4d(digit, [1, 28, 28, 1]);
      v -= cal.complexitySlope * (await complexityBits(x))[0]!;
      x.dispose();
    }
    verdict.dataset.score = String(v);
    if (cal) {
      const unusual = v > cal.threshold;
      verdict.className = `score ${unusual ? 'anomaly' : 'normal'}`;
      verdict.textContent = `anomaly score ${fmt(v)} nats (${cal.method}) — threshold ${fmt(cal.threshold)}: ${unusual ? 'unusual for this model' : 'looks like the digits it was trained on'}`;
    } else {
      verdict.textContent = `anomaly score ${fmt(v)} nats (this checkpoint has no calibrated threshold)`;
    }
  };

  // Drawing with the pointer: thick round white strokes, scored when the stroke ends.
  const ctx = pad.getContext('2d', { willReadFrequently: true })!;
  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, pad.width, pad.height);
  };
  clear();
  let drawing = false;
  const at = (e: PointerEvent) => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height] as const;
  };
  pad.addEventListener('pointerdown', (e) => {
    drawing = true;
    pad.setPointerCapture(e.pointerId);
    const [x, y] = at(e);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 20;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 0.1, y);
    ctx.stroke();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    const [x, y] = at(e);
    ctx.lineTo(x, y);
    ctx.stroke();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    score().catch(status.error);
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);

  clearBtn.addEventListener('click', () => {
    clear();
    verdict.textContent = 'Draw a digit (white on black), or load a real one.';
  });
  realBtn.addEventListener('click', () => {
    void (async () => {
      const digits = await realDigits();
      realPick = (realPick + 37) % digits.count;
      paintDigit(pad, digits.pixels(realPick));
      await score();
    })().catch(status.error);
  });
  noiseBtn.addEventListener('click', () => {
    const img = ctx.createImageData(pad.width, pad.height);
    let s = 12345;
    for (let i = 0; i < img.data.length; i += 4) {
      s = (s * 1103515245 + 12345) >>> 0;
      img.data[i] = img.data[i + 1] = img.data[i + 2] = s >>> 24;
      img.data[i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    score().catch(status.error);
  });

  const run = (fn: () => Promise<void>) => () => void fn().catch(status.error);
  again.addEventListener('click', run(async () => {
    seed.input.value = String((seed.input.valueAsNumber || 0) + 1);
    await showSamples();
  }));
  seed.input.addEventListener('change', run(showSamples));
  temp.input.addEventListener('change', run(showSamples));
  walk.input.addEventListener('input', showFrame);
  for (const s of [fromDigit, toDigit, method]) s.addEventListener('change', run(computeWalk));

  const open = async () => {
    const name = picker.value;
    status.set(`loading ${name}…`);
    const { model, manifest } = await loadModel<VAE>(name);
    vae = model;
    const c = model.config;
    info.textContent = `${c.architecture.toUpperCase()} VAE, input ${c.inputShape.join('×')}, latent ${c.latentDim}, hidden ${c.hiddenDims.join('-')}; test −ELBO ${fmt(manifest.metrics.negElbo)} nats after ${fmt(manifest.provenance.steps)} steps.`;
    await showSamples();
    await computeWalk();
    status.set('');
    root.dataset.model = name;
  };
  picker.addEventListener('change', run(open));
  await open();
  return () => {
    vae = null;
  };
}
