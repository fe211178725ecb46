import { getFamily, type GenerativeModel } from '@genloom/core';
import { resolveDataSpec, type ImageSet } from '@genloom/datasets';
import { classifierAccuracy, classifierPresets, labelledBatches, type ClassifierConfig, type ImageClassifier } from '@genloom/eval';
import { registerCliFamily, type CliFamily } from '../registry.js';

/** The labelled image set behind a data spec, as the classifier needs it. */
async function labelledImages(spec: string): Promise<{ train: ImageSet; test: ImageSet }> {
  const descriptor = resolveDataSpec(spec);
  if (descriptor.modality !== 'image') throw new Error(`--data ${spec} is ${descriptor.modality} data; the classifier needs labelled images`);
  const [train, test] = await Promise.all([descriptor.load('train'), descriptor.load('test')]);
  if (!train.labels || !test.labels) throw new Error(`--data ${spec} has no class labels; the classifier needs them`);
  return { train, test };
}

// The feature extractor of @genloom/eval (FID/KID/precision-recall/IS), trained from the command line:
// `genloom train classifier --data mnist --preset mnist --epochs 3 --out runs/classifier`.
const adapter: CliFamily = {
  name: 'classifier',
  family: 'classifier',
  description: 'the CNN image classifier whose features and softmax give the image metrics (FID, KID, precision/recall, IS)',
  defaultData: 'mnist',
  presets: Object.keys(classifierPresets),
  async prepareTraining({ data, preset, overrides, seed, resumed }) {
    const { train, test } = await labelledImages(data);
    const family = getFamily('classifier');
    const [, h, , c] = train.shape;
    const fromData: Partial<ClassifierConfig> = { imageSize: h, channels: c, numClasses: train.classNames?.length ?? Math.max(...train.labels!) + 1 };
    const model = (resumed ?? family.create(family.resolveConfig({ ...fromData, ...overrides }, preset ?? 'mnist'), seed)) as ImageClassifier;
    const steps = Math.ceil(2 * Math.ceil(train.shape[0] / 128)); // two epochs, as the shipped extractor

    return {
      model,
      data: labelledBatches(train, { batchSize: 128, seed }),
      trainOptions: { optimizer: { type: 'adam', lr: 2e-3 }, steps },
      evaluate: async () => ({ accuracy: await classifierAccuracy(model, test) }),
    };
  },
  async sample() {
    throw new Error('a classifier does not generate; use genloom eval for its accuracy, or it serves as the feature extractor of the image metrics');
  },
  async evaluate(model: GenerativeModel, data: string) {
    const { test } = await labelledImages(data);
    return { accuracy: await classifierAccuracy(model as ImageClassifier, test) };
  },
};

registerCliFamily(adapter);
