/**
 * Data sets by name, so the CLI, the bench and tests can say `--data mnist` or `--data csv:x.csv`
 * and get a typed loader. Names map to entries in a table, not to an `if` chain.
 */
import { loadCmudict } from './cmudict.js';
import type { PairSet } from './cmudict.js';
import { loadCsv } from './csv.js';
import type { TabularSet } from './csv.js';
import { loadEmoji } from './emoji.js';
import { loadIdx } from './idx.js';
import type { ImageSet } from './image-set.js';
import { selectImages } from './image-set.js';
import { loadMnist } from './mnist.js';
import type { PixelScale } from './normalize.js';
import { checkPixelScale } from './normalize.js';
import { loadImageFolder } from './png.js';
import { loadSensor } from './sensor.js';
import type { Split } from './split.js';
import { checkFraction, checkSplit, splitIndices } from './split.js';
import { loadMobyDick, loadText } from './text.js';

/** What kind of examples a data set holds, which decides the models that can use it. */
export type DataModality = 'image' | 'text' | 'pairs' | 'tabular';

interface DescriptorBase {
  /** The registry name (`mnist`) or prefix (`csv`). */
  readonly name: string;
  /** The spec string this descriptor was resolved from. */
  readonly spec: string;
  /** One line for help texts. */
  readonly description: string;
}

/** An image data set: `load` gives an {@link ImageSet} for each split. */
export interface ImageDataDescriptor extends DescriptorBase {
  readonly modality: 'image';
  /** The images (and labels, when the set has them) of a split. */
  load(split: Split): Promise<ImageSet>;
}
/** A text corpus: `load('train')` gives the training text, `load('test')` the validation text. */
export interface TextDataDescriptor extends DescriptorBase {
  readonly modality: 'text';
  /** The text of a split (`'test'` gives the validation text). */
  load(split: Split): Promise<string>;
}
/** Sequence pairs (grapheme → phoneme): `load` gives a {@link PairSet} for each split. */
export interface PairsDataDescriptor extends DescriptorBase {
  readonly modality: 'pairs';
  /** The source/target pairs of a split. */
  load(split: Split): Promise<PairSet>;
}
/** A table of numbers: `load` gives a {@link TabularSet} for each split. */
export interface TabularDataDescriptor extends DescriptorBase {
  readonly modality: 'tabular';
  /** The rows (and labels, when the set has them) of a split. */
  load(split: Split): Promise<TabularSet>;
}

/** A resolved data spec; switch on `modality` to get the typed loader. */
export type DataDescriptor = ImageDataDescriptor | TextDataDescriptor | PairsDataDescriptor | TabularDataDescriptor;

/** Options of {@link resolveDataSpec}. */
export interface ResolveDataOptions {
  /** Pixel scaling of image data sets (default `zero-one`; GANs and diffusion want `minus-one-one`). */
  normalize?: PixelScale;
  /** Held-out fraction for user files, which come without a split (default 0.1). */
  testFraction?: number;
  /** Side of square images: the emoji sprite size (default 32), or the size folder images are resized to. */
  imageSize?: number;
}

interface Entry {
  readonly modality: DataModality;
  readonly usage: string;
  readonly description: string;
  readonly takesArgument: boolean;
  make(arg: string, spec: string, options: ResolveDataOptions): DataDescriptor;
}

const DIGITS_UNAVAILABLE =
  'the 8×8 UCI digits set ("digits") is not available: no npm package ships its data, and genloom loads ' +
  'nothing from the network. Use "mnist" (28×28, 70,000 images), or your own files with "idx:", "images:" or "csv:"';

const ENTRIES: Record<string, Entry> = {
  mnist: {
    modality: 'image',
    usage: 'mnist',
    description: 'MNIST handwritten digits, 28×28×1, 60,000 train / 10,000 test, labels 0–9',
    takesArgument: false,
    make: (_arg, spec, o) => ({
      modality: 'image',
      name: 'mnist',
      spec,
      description: ENTRIES.mnist!.description,
      load: (split) => loadMnist({ split: checkSplit(split, 'mnist'), ...(o.normalize ? { normalize: o.normalize } : {}) }),
    }),
  },
  emoji: {
    modality: 'image',
    usage: 'emoji',
    description: 'Twemoji sprites, 32×32×4 RGBA (16/20/64 with imageSize), 1,911 emoji, labels = 10 categories',
    takesArgument: false,
    make: (_arg, spec, o) => ({
      modality: 'image',
      name: 'emoji',
      spec,
      description: ENTRIES.emoji!.description,
      load: (split) =>
        loadEmoji({ split, size: o.imageSize ?? 32, ...(o.normalize ? { normalize: o.normalize } : {}) }),
    }),
  },
  'moby-dick': {
    modality: 'text',
    usage: 'moby-dick',
    description: "Melville's Moby-Dick, 1.19 M characters, first 90% train / last 10% validation",
    takesArgument: false,
    make: (_arg, spec) => ({
      modality: 'text',
      name: 'moby-dick',
      spec,
      description: ENTRIES['moby-dick']!.description,
      load: async (split) => pickText(await loadMobyDick(), split),
    }),
  },
  cmudict: {
    modality: 'pairs',
    usage: 'cmudict',
    description: 'CMU Pronouncing Dictionary, word → ARPAbet phonemes, ≈126,000 words, 10% of words held out',
    takesArgument: false,
    make: (_arg, spec) => ({
      modality: 'pairs',
      name: 'cmudict',
      spec,
      description: ENTRIES.cmudict!.description,
      load: (split) => loadCmudict({ split }),
    }),
  },
  sensor: {
    modality: 'tabular',
    usage: 'sensor',
    description: 'single-hop sensor network, humidity + temperature, 18,914 readings, label 1 = anomaly (149)',
    takesArgument: false,
    make: (_arg, spec) => ({
      modality: 'tabular',
      name: 'sensor',
      spec,
      description: ENTRIES.sensor!.description,
      load: (split) => loadSensor({ split }),
    }),
  },
  text: {
    modality: 'text',
    usage: 'text:PATH',
    description: 'a UTF-8 text file; the last testFraction (default 10%) validates',
    takesArgument: true,
    make: (path, spec, o) => ({
      modality: 'text',
      name: 'text',
      spec,
      description: `text file ${path}`,
      load: async (split) => pickText(await loadText(path, { valFraction: o.testFraction ?? 0.1 }), split),
    }),
  },
  idx: {
    modality: 'image',
    usage: 'idx:IMAGES[,LABELS]',
    description: 'IDX image file (plain or .gz) with an optional IDX label file; testFraction of images held out',
    takesArgument: true,
    make: (arg, spec, o) => {
      const [images, labels, extra] = arg.split(',');
      if (!images || extra !== undefined || labels === '') {
        throw new Error(`data spec ${JSON.stringify(spec)}: expected idx:IMAGES or idx:IMAGES,LABELS`);
      }
      const testFraction = o.testFraction ?? 0.1;
      return {
        modality: 'image',
        name: 'idx',
        spec,
        description: `IDX images ${images}${labels ? ` with labels ${labels}` : ''}`,
        load: async (split) => {
          const all = await loadIdx(images, labels, o.normalize ? { normalize: o.normalize } : {});
          const rows = splitIndices(all.shape[0], checkSplit(split, 'idx'), testFraction);
          if (rows.length === 0) throw new Error(`${images}: no images fall in the ${split} split`);
          return selectImages(all, rows);
        },
      };
    },
  },
  images: {
    modality: 'image',
    usage: 'images:DIR',
    description: 'a folder of PNGs (sub-folders = classes); testFraction of files held out',
    takesArgument: true,
    make: (dir, spec, o) => ({
      modality: 'image',
      name: 'images',
      spec,
      description: `PNG folder ${dir}`,
      load: (split) =>
        loadImageFolder(dir, {
          split,
          testFraction: o.testFraction ?? 0.1,
          ...(o.imageSize !== undefined ? { size: o.imageSize } : {}),
          ...(o.normalize ? { normalize: o.normalize } : {}),
        }),
    }),
  },
  csv: {
    modality: 'tabular',
    usage: 'csv:PATH[,LABEL_COLUMN]',
    description: 'a CSV file of numbers, optionally with a label column; testFraction of rows held out',
    takesArgument: true,
    make: (arg, spec, o) => {
      const [path, labelColumn, extra] = arg.split(',');
      if (!path || extra !== undefined || labelColumn === '') {
        throw new Error(`data spec ${JSON.stringify(spec)}: expected csv:PATH or csv:PATH,LABEL_COLUMN`);
      }
      return {
        modality: 'tabular',
        name: 'csv',
        spec,
        description: `CSV file ${path}${labelColumn ? ` with labels in ${labelColumn}` : ''}`,
        load: (split) =>
          loadCsv(path, { split, testFraction: o.testFraction ?? 0.1, ...(labelColumn ? { labelColumn } : {}) }),
      };
    },
  },
};

function pickText(splits: { train: string; val: string }, split: Split): string {
  return checkSplit(split, 'text') === 'train' ? splits.train : splits.val;
}

/**
 * The data sets and spec forms the registry knows, for help texts.
 *
 * @example
 * ```ts
 * for (const d of listDataSets()) console.log(`${d.usage.padEnd(22)} ${d.modality.padEnd(8)} ${d.description}`);
 * ```
 */
export function listDataSets(): { usage: string; modality: DataModality; description: string }[] {
  return Object.values(ENTRIES).map(({ usage, modality, description }) => ({ usage, modality, description }));
}

/**
 * Resolves a data spec (`mnist`, `emoji`, `moby-dick`, `cmudict`, `sensor`, `text:PATH`,
 * `idx:IMAGES[,LABELS]`, `images:DIR`, `csv:PATH[,LABEL_COLUMN]`) to a typed descriptor. Nothing is read until
 * `load` is called. Unknown names fail with the list of valid choices.
 *
 * @example
 * ```ts
 * const data = resolveDataSpec('mnist', { normalize: 'minus-one-one' });
 * if (data.modality === 'image') {
 *   const train = await data.load('train'); // ImageSet
 * }
 * ```
 */
export function resolveDataSpec(spec: string, options: ResolveDataOptions = {}): DataDescriptor {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new Error(`a data spec is needed; valid choices: ${validChoices()}`);
  }
  if (options.normalize !== undefined) checkPixelScale(options.normalize);
  if (options.testFraction !== undefined) checkFraction(options.testFraction, 'testFraction');
  const colon = spec.indexOf(':');
  const name = (colon < 0 ? spec : spec.slice(0, colon)).trim().toLowerCase();
  const arg = colon < 0 ? '' : spec.slice(colon + 1).trim();
  if (name === 'digits') throw new Error(DIGITS_UNAVAILABLE);
  const entry = ENTRIES[name];
  if (entry === undefined) {
    throw new Error(`unknown data set ${JSON.stringify(spec)}; valid choices: ${validChoices()}`);
  }
  if (entry.takesArgument && arg === '') {
    throw new Error(`data spec ${JSON.stringify(spec)} needs a path after the colon: ${entry.usage}`);
  }
  if (!entry.takesArgument && colon >= 0) {
    throw new Error(`data set ${JSON.stringify(name)} takes no argument; write just ${JSON.stringify(entry.usage)}`);
  }
  return entry.make(arg, spec, options);
}

function validChoices(): string {
  return Object.values(ENTRIES)
    .map((e) => e.usage)
    .join(', ');
}
