import { describe, expect, it } from 'vitest';

import { loadSensor } from './sensor.js';

describe('loadSensor', () => {
  it('splits 18,914 readings ≈80/20 with anomalies on both sides', async () => {
    const [train, test] = await Promise.all([loadSensor({ split: 'train' }), loadSensor({ split: 'test' })]);
    expect(train.shape[0] + test.shape[0]).toBe(18_914);
    expect(test.shape[0] / 18_914).toBeCloseTo(0.2, 1);
    expect(train.columns).toEqual(['humidity', 'temperature']);
    expect(train.shape[1]).toBe(2);
    const anomalies = (s: { labels: Int32Array }) => s.labels.filter((l) => l === 1).length;
    expect(anomalies(train) + anomalies(test)).toBe(149);
    expect(anomalies(test)).toBeGreaterThan(10);
    expect(new Set([...train.labels, ...test.labels])).toEqual(new Set([0, 1]));

    const keys = new Set(Array.from(train.moteIds, (m, i) => `${m}:${train.readings[i]}`));
    expect(keys.size).toBe(train.shape[0]);
    expect(Array.from(test.moteIds, (m, i) => `${m}:${test.readings[i]}`).some((k) => keys.has(k))).toBe(false);
    expect(new Set(train.moteIds)).toEqual(new Set([1, 2, 3, 4]));
  });

  it('keeps humidity (%) and temperature (°C) as read', async () => {
    const train = await loadSensor();
    const first = Array.from(train.features.subarray(0, 2));
    expect(train.moteIds[0]).toBe(1);
    // The package's first row is reading 1 of mote 1: 45.93 %, 27.97 °C (unless it was held out).
    if (train.readings[0] === 1) expect(first.map((v) => Math.round(v * 100) / 100)).toEqual([45.93, 27.97]);
    const humidity = train.features.filter((_, i) => i % 2 === 0);
    expect(Math.min(...humidity)).toBeGreaterThan(-10);
    expect(Math.max(...humidity)).toBeLessThan(110);
  });
});
