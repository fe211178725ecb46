/**
 * The token-model controls shared by the RNN-LM and Transformer pages: a prompt, sampling settings
 * (temperature, top-k, top-p, seed, length) and the continuation streamed into the page as the model
 * draws each token.
 */
import type { GenerativeModel } from '@genloom/core';
import { loadModel, type SiteCheckpoint } from '../api.js';
import { fmt, h, numberInput, statusLine } from '../dom.js';

/** What both language models offer: text streamed piece by piece. */
export interface StreamingLM extends GenerativeModel {
  stream(prompt: string, options: { maxTokens?: number; temperature?: number; topK?: number; topP?: number; seed?: number }): AsyncGenerator<string>;
}

/** The text generator section; `onModel` runs after each checkpoint loads (the transformer adds attention maps). */
export async function renderTextPage(
  root: HTMLElement,
  list: SiteCheckpoint[],
  opts: { family: string; heading: string; intro: string; defaultPrompt: string; onModel?: (model: StreamingLM, prompt: HTMLTextAreaElement) => Promise<void> },
): Promise<() => void> {
  const models = list.filter((c) => c.family === opts.family);
  const picker = h('select', { name: 'checkpoint', 'aria-label': 'checkpoint' }, ...models.map((c) => h('option', { value: c.name }, `${c.name} — ${c.title}`)));
  const info = h('p', { class: 'note' });
  const status = statusLine();
  const prompt = h('textarea', { id: 'lm-prompt', rows: 3, cols: 60, name: 'prompt', spellcheck: false });
  prompt.value = opts.defaultPrompt;
  const temperature = numberInput('temperature', { min: 0, max: 2, step: 0.05, value: 0.8, name: 'temperature' });
  const topK = numberInput('top-k (0 = off)', { min: 0, max: 200, step: 1, value: 40, type: 'number', name: 'topK' });
  const topP = numberInput('top-p', { min: 0.05, max: 1, step: 0.05, value: 0.95, name: 'topP' });
  const seed = numberInput('seed', { min: 0, max: 1e9, step: 1, value: 7, type: 'number', name: 'seed' });
  const length = numberInput('tokens', { min: 1, max: 1000, step: 1, value: 200, type: 'number', name: 'maxTokens' });
  const go = h('button', { type: 'button', id: 'lm-generate', class: 'primary' }, 'Generate');
  const stop = h('button', { type: 'button', id: 'lm-stop', disabled: true }, 'Stop');
  const out = h('pre', { id: 'lm-output', class: 'generated' });
  const speed = h('p', { class: 'note', id: 'lm-speed' });
  root.append(
    h('h1', {}, opts.heading),
    h('p', { class: 'lead' }, opts.intro),
    h('div', { class: 'row' }, h('label', { class: 'field' }, h('span', {}, 'checkpoint'), picker)),
    info,
    status.el,
    h('section', { class: 'card' }, h('h2', {}, 'Prompt → text'), prompt, h('div', { class: 'row' }, temperature.row, topK.row, topP.row, seed.row, length.row), h('div', { class: 'row' }, go, stop), out, speed),
  );

  let model: StreamingLM | null = null;
  let cancelled = false;
  let running = false;

  const generate = async () => {
    if (!model || running) return;
    running = true;
    cancelled = false;
    go.disabled = true;
    stop.disabled = false;
    out.dataset.done = 'false';
    out.replaceChildren(h('span', { class: 'prompt' }, prompt.value));
    const gen = h('span', { class: 'continuation' });
    out.append(gen);
    const t0 = performance.now();
    let pieces = 0;
    try {
      const k = topK.input.valueAsNumber;
      for await (const piece of model.stream(prompt.value, {
        maxTokens: Math.max(1, Math.min(1000, length.input.valueAsNumber || 200)),
        temperature: temperature.input.valueAsNumber,
        ...(k > 0 ? { topK: k } : {}),
        ...(topP.input.valueAsNumber < 1 ? { topP: topP.input.valueAsNumber } : {}),
        seed: seed.input.valueAsNumber || 0,
      })) {
        gen.textContent += piece;
        pieces++;
        if (cancelled) break;
      }
      const seconds = (performance.now() - t0) / 1000;
      speed.textContent = `${pieces} pieces in ${seconds.toFixed(1)} s (${fmt(pieces / seconds, 3)} tokens/s on this backend)`;
    } finally {
      running = false;
      go.disabled = false;
      stop.disabled = true;
      out.dataset.done = 'true';
    }
  };
  go.addEventListener('click', () => void generate().catch(status.error));
  stop.addEventListener('click', () => (cancelled = true));

  const open = async () => {
    const name = picker.value;
    status.set(`loading ${name}…`);
    const loaded = await loadModel<StreamingLM>(name);
    model = loaded.model;
    const m = loaded.manifest;
    const metrics = Object.entries(m.metrics).filter(([k]) => !/PerSecond$/.test(k)).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
    info.textContent = `${name}: ${metrics}; ${fmt(m.provenance.steps)} training steps on ${String(m.provenance.data ?? '?')}.`;
    await opts.onModel?.(model, prompt);
    status.set('');
    root.dataset.model = name;
  };
  picker.addEventListener('change', () => void open().catch(status.error));
  await open();
  return () => {
    cancelled = true;
    model = null;
  };
}
