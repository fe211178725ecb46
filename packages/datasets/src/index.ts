export { loadMnist, MNIST_CLASSES } from './mnist.js';
export type { LoadMnistOptions } from './mnist.js';
export { loadEmoji, EMOJI_CATEGORIES, EMOJI_SIZES, EMOJI_TEST_FRACTION } from './emoji.js';
export type { LoadEmojiOptions } from './emoji.js';
export { loadText, loadMobyDick, splitText, MOBY_DICK_VAL_FRACTION } from './text.js';
export type { TextSplits, LoadTextOptions } from './text.js';
export { loadCmudict, cmudictPronunciations, CMUDICT_TEST_FRACTION } from './cmudict.js';
export type { PairSet, LoadCmudictOptions } from './cmudict.js';
export { loadSensor, SENSOR_TEST_FRACTION } from './sensor.js';
export type { SensorSet, LoadSensorOptions } from './sensor.js';

export { readIdx, loadIdx } from './idx.js';
export type { IdxArray, IdxDType, LoadIdxOptions } from './idx.js';
export { decodePng, clearTransparent, resizeImage, loadImageFolder } from './png.js';
export type { RgbaImage, LoadImageFolderOptions } from './png.js';
export { parseCsv, loadCsv, selectRows } from './csv.js';
export type { TabularSet, ParseCsvOptions, LoadCsvOptions } from './csv.js';

export { makeImageSet, selectImages } from './image-set.js';
export type { ImageSet, MakeImageSetArgs } from './image-set.js';
export { scalePixels, pixelRange, fitStandardizer, standardize, PIXEL_SCALES } from './normalize.js';
export type { PixelScale, Standardizer } from './normalize.js';
export { hashString, isHeldOut, splitIndices, SPLITS } from './split.js';
export type { Split } from './split.js';

export { imageBatches, tabularBatches } from './row-batches.js';
export type { ImageBatch, TabularBatch } from './row-batches.js';
export { textWindows, sequentialTextBatches } from './text-batches.js';
export type { TokenBatch, TextWindowOptions, SequentialTextOptions } from './text-batches.js';
export { BatchOrder } from './batch-order.js';
export type { BatchOptions } from './batch-order.js';

export { resolveDataSpec, listDataSets } from './registry.js';
export type {
  DataDescriptor,
  DataModality,
  ImageDataDescriptor,
  TextDataDescriptor,
  PairsDataDescriptor,
  TabularDataDescriptor,
  ResolveDataOptions,
} from './registry.js';
