/**
 * Diffusion page: digits generated from a prompt (or a class) by a U-Net that removes noise step by
 * step, with the sampler (DDIM or DDPM), the number of steps, the classifier-free guidance scale and
 * the seed to choose; every intermediate image is kept, so the denoising plays back as a film (the
 * current x_t or the network's guess of the final image x̂₀ at each step) and is laid out as a strip.
 */
import type * as tf from '@tensorflow/tfjs';
import { classWords, normalizePrompt, type DiffusionModel, type GenerateOptions, type SampleStep } from '@genloom/diffusion';
import { loadModel, type SiteCheckpoint } from '../api.js';
import { append, fmt, h, numberInput, statusLine } from '../dom.js';
import { drawGrid } from '../images.js';
import { showCheckpoint } from './checkpoint-note.js';

/** Frames of the strip per image (evenly spaced steps; the last is the result), as the CLI's `--film`. */
const STRIP_FRAMES = 10;
/** Images shown in the strip, one row each. */
const STRIP_ROWS = 4;
/** Playback speed of the film. */
const FILM_FPS = 12;

/** Prompts a model trained on `captionFor` captions understands, for the example buttons. */
const EXAMPLE_PROMPTS = ['7', 'seven', 'a thin 1', 'a bold eight', 'the digit 3', 'a handwritten two'];

/** Every intermediate image of one sampling run: per step, n images of `size` values each. */
interface Film {
  n: number;
  shape: [number, number, number];
  /** x_t after each step. */
  current: Float32Array[];
  /** The network's estimate of x₀ at each step. */
  predicted: Float32Array[];
  /** The timestep of each frame. */
  t: number[];
}

/** Grid columns for n images: one row up to 8, then rows of 8. */
const columnsFor = (n: number) => (n <= 8 ? Math.min(n, 4) : 8);

/** Copies one step's images into the film (a step can come in chunks of images; `offset` places them). */
async function record(film: Film, s: SampleStep): Promise<void> {
  const size = film.shape[0] * film.shape[1] * film.shape[2];
  const [cur, pred] = (await Promise.all([s.images.data(), s.predicted.data()])) as [Float32Array, Float32Array];
  const i = s.step - 1;
  film.current[i] ??= new Float32Array(film.n * size);
  film.predicted[i] ??= new Float32Array(film.n * size);
  film.current[i]!.set(cur, s.offset * size);
  film.predicted[i]!.set(pred, s.offset * size);
  film.t[i] = s.t;
}

/** The strip: `rows` images down, `cols` evenly spaced frames across (the last frame is the result). */
function stripOf(film: Film, frames: Float32Array[], rows: number, cols: number): { data: Float32Array; shape: number[] } {
  const size = film.shape[0] * film.shape[1] * film.shape[2];
  const picks = Array.from({ length: cols }, (_, c) => Math.round((c * (frames.length - 1)) / Math.max(1, cols - 1)));
  const data = new Float32Array(rows * cols * size);
  for (let r = 0; r < rows; r++) {
    picks.forEach((f, c) => data.set(frames[f]!.subarray(r * size, (r + 1) * size), (r * cols + c) * size));
  }
  return { data, shape: [rows * cols, ...film.shape] };
}

/**
 * Renders the diffusion page into `root` for the `diffusion` checkpoints in `list`; returns its
 * cleanup (stops the film).
 *
 * @example
 * ```ts
 * const cleanup = await render(document.getElementById('page')!, await checkpoints());
 * ```
 */
export async function render(root: HTMLElement, list: SiteCheckpoint[]): Promise<() => void> {
  const models = list.filter((c) => c.family === 'diffusion');
  const picker = h('select', { name: 'checkpoint', 'aria-label': 'checkpoint' }, ...models.map((c) => h('option', { value: c.name }, `${c.name} — ${c.title}`)));
  const info = h('p', { class: 'note', id: 'diff-info' });
  const status = statusLine();
  root.append(
    h('h1', {}, 'Diffusion'),
    h('p', { class: 'lead' }, 'Start from pure noise and let a U-Net remove a little of it at every step, steered by what you ask for. Classifier-free guidance mixes the network’s answer with and without the prompt: ε̂ = ε(∅) + s·(ε(prompt) − ε(∅)); s = 0 ignores the prompt, larger s follows it more closely at the cost of variety. On MNIST s ≈ 1.5 gives the most realistic mix of handwriting (the lowest FID), s = 3 the most legible digits.'),
    h('div', { class: 'row' }, h('label', { class: 'field' }, h('span', {}, 'checkpoint'), picker)),
    info,
    status.el,
  );

  // ---- condition and sampling settings ---------------------------------------------------------
  const prompt = h('input', { type: 'text', id: 'diff-prompt', name: 'prompt', value: 'seven', size: 32, spellcheck: false, 'aria-label': 'prompt' });
  const promptField = h('label', { class: 'field' }, h('span', {}, 'prompt'), prompt);
  const examples = h('div', { class: 'row examples' }, h('span', { class: 'caption' }, 'try:'), ...EXAMPLE_PROMPTS.map((p) => h('button', { type: 'button', class: 'example', 'data-prompt': p }, p)));
  const promptHelp = h('p', { class: 'note', id: 'diff-prompt-help' });
  const classPick = h('select', { name: 'class', 'aria-label': 'class', id: 'diff-class' });
  const classField = h('label', { class: 'field' }, h('span', {}, 'class'), classPick);
  const count = numberInput('images', { min: 1, max: 16, step: 1, value: 8, type: 'number', name: 'count' });
  const sampler = h('select', { name: 'sampler', 'aria-label': 'sampler', id: 'diff-sampler' }, h('option', { value: 'ddim' }, 'DDIM (deterministic)'), h('option', { value: 'ddpm' }, 'DDPM (adds noise each step)'));
  const steps = numberInput('steps', { min: 10, max: 100, step: 1, value: 25, type: 'number', name: 'steps' });
  const guidance = numberInput('guidance', { min: 0, max: 8, step: 0.5, value: 3, name: 'guidance' });
  const seed = numberInput('seed', { min: 0, max: 1e9, step: 1, value: 1, type: 'number', name: 'seed' });
  const go = h('button', { type: 'button', id: 'diff-generate', class: 'primary' }, 'Generate');
  const again = h('button', { type: 'button', id: 'diff-resample' }, 'New seed');
  const samplesCanvas = h('canvas', { id: 'diff-samples', class: 'pixels big' });
  const timing = h('p', { class: 'note', id: 'diff-time' });
  root.append(
    h(
      'section',
      { class: 'card', id: 'diff-generator' },
      h('h2', {}, 'Prompt → digits'),
      h('div', { class: 'row' }, promptField, classField),
      examples,
      promptHelp,
      h('div', { class: 'row' }, count.row, h('label', { class: 'field' }, h('span', {}, 'sampler'), sampler), steps.row, guidance.row, seed.row),
      h('div', { class: 'row' }, go, again),
      samplesCanvas,
      timing,
    ),
  );

  // ---- the film --------------------------------------------------------------------------------
  const view = h('select', { name: 'view', 'aria-label': 'film view', id: 'diff-film-view' }, h('option', { value: 'current' }, 'current image x_t'), h('option', { value: 'predicted' }, 'predicted final image x̂₀'));
  const slider = numberInput('step', { min: 0, max: 0, step: 1, value: 0, name: 'filmStep' });
  slider.input.id = 'diff-film-slider';
  const play = h('button', { type: 'button', id: 'diff-play' }, 'Play');
  const frameCanvas = h('canvas', { id: 'diff-film-frame', class: 'pixels big' });
  const stripCanvas = h('canvas', { id: 'diff-film-strip', class: 'pixels strip' });
  root.append(
    h(
      'section',
      { class: 'card', id: 'diff-film' },
      h('h2', {}, 'Denoising, step by step'),
      h('p', { class: 'note' }, 'Every intermediate image of the last run. x_t is the image at noise level t; x̂₀ is what the network believes the final image will be at that step — it settles long before the noise is gone. The strip shows the first images (one per row) at evenly spaced steps, left to right.'),
      h('div', { class: 'row' }, h('label', { class: 'field' }, h('span', {}, 'show'), view), play, slider.row),
      frameCanvas,
      stripCanvas,
    ),
  );

  let model: DiffusionModel | null = null;
  let film: Film | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let running = false;

  const framesOf = (f: Film) => (view.value === 'predicted' ? f.predicted : f.current);

  const showFrame = () => {
    if (!film) return;
    const frames = framesOf(film);
    const i = Math.min(slider.input.valueAsNumber, frames.length - 1);
    if (i < 0 || !frames[i]) return;
    drawGrid(frameCanvas, frames[i]!, [film.n, ...film.shape], columnsFor(film.n));
    slider.out.textContent = `${i + 1} / ${frames.length} (denoised from t = ${film.t[i]})`;
    frameCanvas.dataset.frame = String(i);
  };

  const showStrip = () => {
    if (!film || film.current.length === 0) return;
    const { data, shape } = stripOf(film, framesOf(film), Math.min(STRIP_ROWS, film.n), Math.min(STRIP_FRAMES, film.current.length));
    drawGrid(stripCanvas, data, shape, Math.min(STRIP_FRAMES, film.current.length));
  };

  const stop = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.textContent = 'Play';
  };
  const start = () => {
    if (!film) return;
    stop();
    const last = film.current.length - 1;
    if (slider.input.valueAsNumber >= last) slider.input.value = '0';
    play.textContent = 'Pause';
    timer = setInterval(() => {
      const i = slider.input.valueAsNumber;
      if (i >= last) return stop();
      slider.input.value = String(i + 1);
      showFrame();
    }, 1000 / FILM_FPS);
  };

  /** The condition the controls ask for, in `generate`'s terms. */
  const condition = (): Pick<GenerateOptions, 'prompt' | 'label'> => {
    const kind = model?.config.conditioning;
    if (kind === 'prompt') return { prompt: prompt.value };
    if (kind === 'class') return { label: Number(classPick.value) };
    return {};
  };

  /** What the encoder makes of the prompt: the class words it found and characters it does not know. */
  const explainPrompt = () => {
    if (!model || model.config.conditioning !== 'prompt') return;
    const c = model.config;
    const text = normalizePrompt(prompt.value);
    const unknown = [...new Set([...text].filter((ch) => !c.promptAlphabet.includes(ch)))];
    const words = text.trim().split(' ');
    const named = c.classNames.filter((name) => classWords(name).some((w) => words.includes(w)));
    const parts: Array<string | HTMLElement> = [];
    parts.push(named.length ? `The prompt names ${named.map((n) => `“${n}”`).join(', ')}.` : 'The prompt names no class: expect digits of any kind.');
    if (unknown.length) parts.push(` Characters the prompt encoder does not know (each read as one unknown token): ${unknown.map((ch) => JSON.stringify(ch)).join(' ')}.`);
    parts.push(` It learned from captions such as “a handwritten seven”, “the digit 7”, “a thin 1”, “a bold eight” (classes: ${c.classNames.map((n) => classWords(n).join('/')).join(', ')}).`);
    promptHelp.replaceChildren();
    append(promptHelp, ...parts);
    promptHelp.dataset.named = named.join(',');
  };

  const generate = async () => {
    if (!model || running) return;
    const m = model;
    running = true;
    go.disabled = again.disabled = true;
    stop();
    const n = Math.max(1, Math.min(16, Math.round(count.input.valueAsNumber) || 8));
    const total = Math.max(1, Math.min(m.config.timesteps, Math.round(steps.input.valueAsNumber) || 25));
    const s = seed.input.valueAsNumber || 0;
    const scale = guidance.input.valueAsNumber;
    const name = sampler.value as 'ddim' | 'ddpm';
    const shape = m.config.imageShape as [number, number, number];
    const next: Film = { n, shape, current: [], predicted: [], t: [] };
    samplesCanvas.dataset.done = 'false';
    let x: tf.Tensor4D | null = null;
    try {
      const t0 = performance.now();
      x = await m.generate({
        n,
        steps: total,
        sampler: name,
        guidanceScale: scale,
        seed: s,
        ...condition(),
        onStep: async (step) => {
          await record(next, step);
          status.set(`denoising: step ${step.step} / ${step.steps} (t = ${step.t})`);
          // Live preview: the film canvas follows the run.
          drawGrid(frameCanvas, (view.value === 'predicted' ? next.predicted : next.current)[step.step - 1]!, [n, ...shape], columnsFor(n));
        },
      });
      const ms = performance.now() - t0;
      const data = await x.data();
      drawGrid(samplesCanvas, data, x.shape, columnsFor(n));
      const guided = scale !== 1 && (m.config.conditioning !== 'none');
      timing.textContent = `${n} image${n === 1 ? '' : 's'} × ${total} ${name.toUpperCase()} steps in ${fmt(ms / 1000, 3)} s — ${fmt(ms / total, 3)} ms per step, each one U-Net pass over ${guided ? `${2 * n} images (guidance: with and without the condition)` : `${n} images`}.`;
      timing.dataset.ms = String(Math.round(ms));
      film = next;
      slider.input.max = String(next.current.length - 1);
      slider.input.value = '0';
      showStrip();
      showFrame();
      status.set('');
      samplesCanvas.dataset.seed = String(s);
      samplesCanvas.dataset.done = 'true';
      start();
    } finally {
      x?.dispose();
      running = false;
      go.disabled = again.disabled = false;
    }
  };

  const run = (fn: () => Promise<void>) => () => void fn().catch(status.error);
  go.addEventListener('click', run(generate));
  again.addEventListener('click', run(async () => {
    seed.input.value = String((seed.input.valueAsNumber || 0) + 1);
    await generate();
  }));
  prompt.addEventListener('input', explainPrompt);
  prompt.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') run(generate)();
  });
  for (const b of examples.querySelectorAll<HTMLButtonElement>('button.example')) {
    b.addEventListener('click', () => {
      prompt.value = b.dataset.prompt!;
      explainPrompt();
      run(generate)();
    });
  }
  slider.input.addEventListener('input', () => {
    stop();
    showFrame();
  });
  view.addEventListener('change', () => {
    showFrame();
    showStrip();
  });
  play.addEventListener('click', () => (timer === null ? start() : stop()));

  const open = async () => {
    const name = picker.value;
    const entry = models.find((c) => c.name === name)!;
    status.set(`loading ${name}…`);
    model = (await loadModel<DiffusionModel>(name)).model;
    const c = model.config;
    const conditioned = c.conditioning === 'prompt' ? 'prompt-conditioned' : c.conditioning === 'class' ? 'class-conditioned' : 'unconditional';
    showCheckpoint(info, entry, `${conditioned} U-Net, ${c.imageShape.join('×')} images, channels ${c.channels.join('-')}, ${fmt(model.parameterCount())} parameters; trained on T = ${c.timesteps} steps of a ${c.betaSchedule} schedule, ${c.prediction}-prediction`);
    promptField.hidden = examples.hidden = promptHelp.hidden = c.conditioning !== 'prompt';
    classField.hidden = c.conditioning !== 'class';
    guidance.row.hidden = c.conditioning === 'none';
    classPick.replaceChildren(...c.classNames.map((n, i) => h('option', { value: i }, n)));
    steps.input.max = String(Math.min(100, c.timesteps));
    explainPrompt();
    await generate();
    root.dataset.model = name;
  };
  picker.addEventListener('change', run(open));
  await open();
  return () => {
    stop();
    model = null;
    film = null;
  };
}
