import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.js';
import { loadCheckpoint } from '../checkpoint/format.js';
import { memoryCheckpointStore } from '../checkpoint/store.js';
import { registerFamily } from '../family.js';
import { directoryCheckpointStore } from '../node.js';
import { ToyModel, toyData, toyFamily } from '../testing-fixtures/toy.js';
import { earlyStopping, jsonLines, lossHistory } from './callbacks.js';
import { train } from './trainer.js';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  registerFamily(toyFamily);
  dir = await mkdtemp(join(tmpdir(), 'genloom-trainer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lossesOf = (r: { history: Array<{ losses: Record<string, number> }> }) => r.history.map((h) => h.losses.loss!);

describe('train', () => {
  it('lowers the loss and reports steps/s, lr and examples/s', async () => {
    const model = new ToyModel({ dim: 8, hidden: 3 }, 1);
    const events: string[] = [];
    const result = await train(model, toyData(), {
      steps: 60,
      optimizer: { type: 'adam', lr: 0.02 },
      callbacks: [jsonLines((l) => events.push(l), { every: 20 })],
    });
    const losses = lossesOf(result);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.5);
    expect(result.stoppedBy).toBe('completed');
    expect(events.length).toBe(3);
    const last = JSON.parse(events.at(-1)!);
    expect(last).toMatchObject({ event: 'step', step: 60, totalSteps: 60 });
    expect(last.stepsPerSecond).toBeGreaterThan(0);
    expect(last.examplesPerSecond).toBeCloseTo(last.stepsPerSecond * 32, -1);
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat over 200 steps', async () => {
    const model = new ToyModel({ dim: 8, hidden: 3 }, 2);
    const data = toyData(3);
    await train(model, data, { steps: 5, optimizer: { type: 'adamw', lr: 0.01, weightDecay: 0.1 }, clipNorm: 1 });
    const before = tf.memory().numTensors;
    let during = 0;
    await train(model, data, {
      steps: 200,
      optimizer: { type: 'adamw', lr: 0.01, weightDecay: 0.1 },
      clipNorm: 1,
      monitorGradNorm: true,
      schedule: { type: 'warmup-cosine', lr: 0.01, warmupSteps: 10, decaySteps: 200, minLr: 0.001 },
      callbacks: [{ onStepEnd: (e) => { if (e.step === 100) during = tf.memory().numTensors; } }],
    });
    // optimizer slots are freed when the run ends; in the middle of the run only they are extra
    expect(tf.memory().numTensors).toBe(before);
    expect(during - before).toBe(2 * model.namedParameters().length);
    model.dispose();
  });

  it('stops with an error naming the step when the loss becomes NaN', async () => {
    const model = new ToyModel({ dim: 8, hidden: 3 }, 1);
    const bad = { batchesPerEpoch: 1, batch: () => ({ x: tf.fill([4, 8], NaN) as tf.Tensor2D }) };
    await expect(train(model, bad, { steps: 3 })).rejects.toThrow(/"loss" is NaN at step 1/);
    model.dispose();
  });

  it('a resumed run continues the same loss curve exactly', async () => {
    const opts = { optimizer: { type: 'adamw' as const, lr: 0.02, weightDecay: 0.01 }, seed: 7, schedule: { type: 'warmup-cosine' as const, lr: 0.02, warmupSteps: 5, decaySteps: 40, minLr: 0.002 } };
    const full = new ToyModel({ dim: 8, hidden: 3 }, 5);
    const whole = await train(full, toyData(9), { ...opts, steps: 40 });

    const store = directoryCheckpointStore(join(dir, 'resume'));
    const first = new ToyModel({ dim: 8, hidden: 3 }, 5);
    await train(first, toyData(9), { ...opts, steps: 40, checkpoint: { writer: store.writer }, signal: AbortSignal.abort(), });
    // aborted before any step: checkpoint at step 0; now run 25 steps and save
    const part = await train(first, toyData(9), { ...opts, steps: 25, checkpoint: { writer: store.writer } });
    expect(part.steps).toBe(25);
    const loaded = await loadCheckpoint<ToyModel>(store.reader, { family: 'toy', withTraining: true });
    const rest = await train(loaded.model, toyData(9), { ...opts, steps: 40, resume: loaded });
    tf.dispose(loaded.trainingTensors!);
    expect(rest.history.length).toBe(40);
    const a = lossesOf(whole);
    const b = lossesOf(rest);
    for (let i = 0; i < 40; i++) expect(b[i]).toBeCloseTo(a[i]!, 6);
    [full, first, loaded.model].forEach((m) => m.dispose());
  });

  it('supports epochs, early stopping on a metric, evaluation and EMA weights', async () => {
    const model = new ToyModel({ dim: 8, hidden: 3 }, 3);
    const data = toyData(4, 16, 5);
    let evals = 0;
    const stopper = earlyStopping({ monitor: 'valLoss', patience: 2 });
    const history = lossHistory();
    const mem = memoryCheckpointStore();
    const result = await train(model, data, {
      epochs: 40,
      optimizer: { type: 'adam', lr: 0.01 },
      evalEvery: 5,
      evaluate: async () => ({ valLoss: evals++ < 3 ? 1 / evals : 5 }), // improves twice, then stalls
      callbacks: [stopper, history],
      ema: { decay: 0.9 },
      checkpoint: { writer: mem.writer },
    });
    expect(result.stoppedBy).toBe('early-stopping');
    expect(result.steps).toBeLessThan(200);
    expect(history.evals.length).toBeGreaterThanOrEqual(3);
    // the saved weights are the averaged ones, and the model keeps them too
    const saved = await loadCheckpoint<ToyModel>(mem.reader, { family: 'toy' });
    const x = tf.ones([1, 8]) as tf.Tensor2D;
    expect(Array.from(await saved.model.forward(x).data())).toEqual(Array.from(await model.forward(x).data()));
    saved.model.dispose();
    model.dispose();
  });

  it('reports the learning rate of the first group when every group has its own optimizer', async () => {
    const model = new ToyModel({ dim: 8, hidden: 3 }, 3);
    const grouped = { ...model, trainStep: (b: { x: tf.Tensor2D }, ctx: Parameters<ToyModel['trainStep']>[1]) => ({ loss: ctx.minimize(() => tf.losses.meanSquaredError(b.x, model.forward(b.x)) as tf.Scalar, model.namedParameters(), 'generator') }) };
    const history = lossHistory();
    await train(grouped as unknown as ToyModel, toyData(), { steps: 2, optimizer: { generator: { type: 'adam', lr: 0.003 } }, callbacks: [history] });
    expect(history.steps[0]!.lr).toBe(0.003);
    model.dispose();
  });

  it('rejects a run with neither steps nor epochs', async () => {
    const model = new ToyModel({ dim: 8, hidden: 3 }, 3);
    await expect(train(model, toyData(), {})).rejects.toThrow(/needs steps or epochs/);
    model.dispose();
  });
});
