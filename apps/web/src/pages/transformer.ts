/**
 * Transformer page: the character GPT streams a continuation of a prompt, and the attention maps of
 * every layer and head show where each character of the prompt looks.
 */
import '@genloom/transformer';
import type { GPT } from '@genloom/transformer';
import type { SiteCheckpoint } from '../api.js';
import { h, statusLine } from '../dom.js';
import { renderTextPage, type StreamingLM } from './text.js';

/** Longest prompt tail shown in the attention maps (characters), so each cell stays visible. */
const MAX_ATTENTION_TOKENS = 48;

/** Draws one [T, T] attention map as a heat map (white = 0, dark blue = 1). */
function drawMap(canvas: HTMLCanvasElement, map: number[][], cell: number): void {
  const t = map.length;
  canvas.width = t * cell;
  canvas.height = t * cell;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (let q = 0; q < t; q++) {
    for (let k = 0; k < t; k++) {
      const w = Math.sqrt(Math.max(0, Math.min(1, map[q]![k]!))); // sqrt: small weights stay visible
      ctx.fillStyle = `rgb(${Math.round(255 - 225 * w)}, ${Math.round(255 - 190 * w)}, ${Math.round(255 - 80 * w)})`;
      ctx.fillRect(k * cell, q * cell, cell, cell);
    }
  }
}

export async function render(root: HTMLElement, list: SiteCheckpoint[]): Promise<() => void> {
  const section = h('section', { class: 'card', id: 'attention' });
  const status = statusLine();
  const refresh = h('button', { type: 'button', id: 'attn-refresh' }, 'Show attention for the prompt');
  let gpt: GPT | null = null;
  let prompt: HTMLTextAreaElement | null = null;

  const showAttention = async () => {
    if (!gpt || !prompt) return;
    const model = gpt;
    const text = (prompt.value || '\n').slice(-Math.min(MAX_ATTENTION_TOKENS, model.config.blockSize));
    const maps = await model.attention(text);
    const chars = [...text];
    const grid = h('div', { class: 'attn-grid' });
    const cell = Math.max(4, Math.floor(160 / chars.length));
    maps.forEach((layer, l) =>
      layer.forEach((head, hd) => {
        const c = h('canvas', { class: 'attn', 'data-layer': l, 'data-head': hd, title: `layer ${l + 1}, head ${hd + 1}` });
        drawMap(c, head, cell);
        grid.append(h('figure', {}, c, h('figcaption', {}, `layer ${l + 1} · head ${hd + 1}`)));
      }),
    );
    grid.style.gridTemplateColumns = `repeat(${maps[0]?.length ?? 1}, auto)`;
    section.replaceChildren(
      h('h2', {}, 'Attention maps'),
      h('p', { class: 'note' }, `Rows are the last ${chars.length} characters of the prompt (queries, top to bottom), columns the characters they attend to (keys, left to right); darker = more weight. Causal: nothing above the diagonal.`),
      h('p', { class: 'mono', id: 'attn-text' }, chars.map((ch) => (ch === '\n' ? '⏎' : ch)).join('')),
      refresh,
      status.el,
      grid,
    );
    section.dataset.maps = String(maps.length * (maps[0]?.length ?? 0));
  };
  refresh.addEventListener('click', () => void showAttention().catch(status.error));

  const cleanup = await renderTextPage(root, list, {
    family: 'transformer',
    heading: 'Transformer language model',
    intro: 'A decoder-only GPT (nanoGPT’s design) trained on the characters of Moby-Dick. It writes one character at a time, reusing the keys and values of earlier characters (KV cache).',
    defaultPrompt: 'Call me Ishmael. Some years ago',
    onModel: async (model: StreamingLM, p) => {
      gpt = model as unknown as GPT;
      if (prompt !== p) {
        // The maps follow the prompt as it is typed (after a short pause).
        let timer: ReturnType<typeof setTimeout> | undefined;
        p.addEventListener('input', () => {
          clearTimeout(timer);
          timer = setTimeout(() => void showAttention().catch(status.error), 400);
        });
      }
      prompt = p;
      await showAttention();
    },
  });
  root.append(section);
  return cleanup;
}
