/**
 * The part of @genloom/datasets that needs no file system: batching, normalisation, splits and
 * in-memory data sets. Import it as `@genloom/datasets/batching` in a browser bundle.
 */
export { imageBatches, tabularBatches } from './row-batches.js';
export type { ImageBatch, TabularBatch } from './row-batches.js';
export { textWindows, sequentialTextBatches } from './text-batches.js';
export type { TokenBatch, TextWindowOptions, SequentialTextOptions } from './text-batches.js';
export { BatchOrder } from './batch-order.js';
export type { BatchOptions } from './batch-order.js';
export { makeImageSet, selectImages } from './image-set.js';
export type { ImageSet, MakeImageSetArgs } from './image-set.js';
export { scalePixels, pixelRange, fitStandardizer, standardize, PIXEL_SCALES } from './normalize.js';
export type { PixelScale, Standardizer } from './normalize.js';
export { hashString, isHeldOut, splitIndices, SPLITS } from './split.js';
export type { Split } from './split.js';
export type { TabularSet } from './csv.js';
