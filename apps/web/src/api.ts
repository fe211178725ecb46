/**
 * What the pages ask the server for: the checkpoint list, models (loaded once per page through
 * core's `httpCheckpointReader` + `loadCheckpoint`), the real MNIST digits and Twemoji sprites
 * shipped with the site, ratings and the bench report.
 */
import { httpCheckpointReader, loadCheckpoint, type GenerativeModel, type LoadedCheckpoint } from '@genloom/core';
import { backend } from './backend.js';

/** A checkpoint as the server lists it (see server/app.ts). */
export interface SiteCheckpoint {
  name: string;
  family: string;
  title: string;
  /** `image`: samples from noise (rated on the Rate page); `image-to-image`: translates an input image (pix2pix). */
  modality: 'image' | 'text' | 'image-to-image';
  url: string;
  bytes?: number;
  metrics: Record<string, number>;
  provenance: Record<string, unknown>;
  demo: Record<string, unknown> | null;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text().catch(() => '')}`);
  return (await res.json()) as T;
}

let list: Promise<SiteCheckpoint[]> | null = null;

/** The demo checkpoints the server has. */
export function checkpoints(): Promise<SiteCheckpoint[]> {
  list ??= getJson<{ checkpoints: SiteCheckpoint[] }>('/api/checkpoints').then((r) => r.checkpoints);
  return list;
}

/** The checkpoints of one family. */
export async function checkpointsOf(family: string): Promise<SiteCheckpoint[]> {
  return (await checkpoints()).filter((c) => c.family === family);
}

const loaded = new Map<string, Promise<LoadedCheckpoint>>();

/**
 * A model loaded from the server (after the backend started); the same promise for the same name.
 *
 * @example
 * ```ts
 * const { model } = await loadModel<VAE>('vae-mnist');
 * ```
 */
export function loadModel<M extends GenerativeModel>(name: string): Promise<LoadedCheckpoint<M>> {
  let p = loaded.get(name);
  if (!p) {
    p = (async () => {
      await backend();
      const entry = (await checkpoints()).find((c) => c.name === name);
      if (!entry) throw new Error(`the server has no checkpoint "${name}"`);
      return loadCheckpoint(httpCheckpointReader(entry.url), { family: entry.family });
    })();
    p.catch(() => loaded.delete(name));
    loaded.set(name, p);
  }
  return p as Promise<LoadedCheckpoint<M>>;
}

/** Real MNIST test digits shipped with the site: pixels in [0, 1], 784 per digit. */
export interface RealDigits {
  count: number;
  labels: number[];
  indices: number[];
  /** Pixels of digit i in [0, 1]. */
  pixels(i: number): Float32Array;
  /** The first digit of a class at or after position `from`. */
  firstOf(label: number, from?: number): number;
}

let digits: Promise<RealDigits> | null = null;

/** The real digits (`public/data/mnist-test-digits.*`, exported by `pnpm demo:train`). */
export function realDigits(): Promise<RealDigits> {
  digits ??= (async () => {
    const meta = await getJson<{ shape: number[]; labels: number[]; indices: number[] }>('/data/mnist-test-digits.json');
    const res = await fetch('/data/mnist-test-digits.bin');
    if (!res.ok) throw new Error(`/data/mnist-test-digits.bin: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const size = 28 * 28;
    if (bytes.length !== meta.labels.length * size) throw new Error(`mnist-test-digits.bin has ${bytes.length} bytes, expected ${meta.labels.length * size}`);
    return {
      count: meta.labels.length,
      labels: meta.labels,
      indices: meta.indices,
      pixels: (i) => Float32Array.from(bytes.subarray(i * size, (i + 1) * size), (v) => v / 255),
      firstOf: (label, from = 0) => {
        for (let k = 0; k < meta.labels.length; k++) {
          const i = (from + k) % meta.labels.length;
          if (meta.labels[i] === label) return i;
        }
        throw new Error(`no real digit ${label}`);
      },
    };
  })();
  return digits;
}

/** Held-out Twemoji sprites shipped with the site: RGBA pixels in [0, 1]. */
export interface EmojiSprites {
  count: number;
  /** [height, width, channels] of one sprite (32, 32, 4). */
  size: [number, number, number];
  /** Code points of each sprite (`1F609`, `1F468-200D-1F467`). */
  keys: string[];
  /** Unicode category of each sprite ("Smileys & Emotion"…). */
  categories: string[];
  /** Row-major RGBA pixels of sprite i in [0, 1]. */
  pixels(i: number): Float32Array;
}

let sprites: Promise<EmojiSprites> | null = null;

/** The sprites the colouriser offers (`public/data/emoji-test-sprites.*`, exported by `pnpm demo:train`). */
export function emojiSprites(): Promise<EmojiSprites> {
  sprites ??= (async () => {
    const meta = await getJson<{ shape: [number, number, number, number]; keys: string[]; categories: string[] }>('/data/emoji-test-sprites.json');
    const res = await fetch('/data/emoji-test-sprites.bin');
    if (!res.ok) throw new Error(`/data/emoji-test-sprites.bin: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const [n, hgt, wid, ch] = meta.shape;
    const size = hgt * wid * ch;
    if (bytes.length !== n * size) throw new Error(`emoji-test-sprites.bin has ${bytes.length} bytes, expected ${n * size}`);
    return {
      count: n,
      size: [hgt, wid, ch],
      keys: meta.keys,
      categories: meta.categories,
      pixels: (i) => Float32Array.from(bytes.subarray(i * size, (i + 1) * size), (v) => v / 255),
    };
  })();
  sprites.catch(() => (sprites = null));
  return sprites;
}

/** Posts one rating; resolves to its id in the rating store. */
export async function postRating(rating: Record<string, unknown>): Promise<number> {
  const res = await fetch('/api/ratings', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(rating) });
  const body = (await res.json().catch(() => ({}))) as { id?: number; error?: string };
  if (res.status !== 201 || typeof body.id !== 'number') throw new Error(`rating not stored: ${body.error ?? `HTTP ${res.status}`}`);
  return body.id;
}

/** Scores per checkpoint from the rating store. */
export interface Scores {
  elo: Record<string, number>;
  bradleyTerry: Record<string, { strength?: number; [k: string]: unknown }>;
  realism: Record<string, { judgements: number; judgedRealRate: number }>;
  counts: { preferences: number; judgements: number };
}

/** The current Elo (and friends) per checkpoint. */
export function scores(): Promise<Scores> {
  return getJson<Scores>('/api/elo');
}

/** The latest bench report (see server/bench-report.ts). */
export interface BenchReport {
  dir: string | null;
  files: Array<{ name: string; kind: 'markdown' | 'json' | 'plot'; bytes: number; modified: string }>;
  markdown: { name: string; text: string } | null;
  json: Record<string, unknown>;
  searched: string[];
}

/** The latest bench report, or one with no files. */
export function benchReport(): Promise<BenchReport> {
  return getJson<BenchReport>('/api/bench');
}
