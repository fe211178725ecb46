/**
 * Tables of numbers from CSV files: every feature cell must be a number; a label column may hold
 * integers or class names. Quoted fields ("a, b", "say ""hi""") follow RFC 4180.
 */
import { readDataFile } from './files.js';
import type { Split } from './split.js';
import { checkFraction, checkSplit, isHeldOut } from './split.js';

/** Rows of numeric features with optional integer labels, ready for {@link tabularBatches}. */
export interface TabularSet {
  /** Feature values, row-major [N, D]. */
  readonly features: Float32Array;
  /** [N, D]. */
  readonly shape: readonly [number, number];
  /** Name of each feature column. */
  readonly columns: readonly string[];
  /** One integer label per row, when a label column was chosen. */
  readonly labels?: Int32Array;
  /** Class names when the label column held names rather than integers (labels index into it). */
  readonly labelNames?: readonly string[];
}

/** Options of {@link parseCsv}. */
export interface ParseCsvOptions {
  /** The column (header name, or 0-based index) holding labels; the other columns are features. */
  labelColumn?: string | number;
  /** Whether the first row names the columns; `auto` (default): yes if any of its cells is not a number. */
  header?: boolean | 'auto';
  /** Field separator; default `,`. */
  delimiter?: string;
  /** Columns (names or indices) to leave out, e.g. an id column. */
  dropColumns?: readonly (string | number)[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses CSV text into a {@link TabularSet}. Errors name the source, the line and the column:
 * ragged rows, non-numeric or empty feature cells, an unknown label column, an unclosed quote,
 * a file without data rows.
 *
 * @param source a name for error messages (usually the path)
 * @example
 * ```ts
 * const set = parseCsv('x,y,label\n1,2,cat\n3,4,dog\n', { labelColumn: 'label' });
 * set.shape;      // [2, 2]
 * set.labelNames; // ['cat', 'dog']
 * ```
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}, source = 'CSV data'): TabularSet {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new Error(`${source}: the delimiter must be one character other than a quote or newline, got ${JSON.stringify(delimiter)}`);
  }
  const rows = splitRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, delimiter, source);
  if (rows.length === 0) throw new Error(`${source}: the CSV file is empty; expected rows of numbers`);

  const first = rows[0]!;
  const header = options.header ?? 'auto';
  const hasHeader = header === 'auto' ? first.cells.some((c) => !NUMBER.test(c.trim())) : header;
  const width = first.cells.length;
  const columns = hasHeader ? first.cells.map((c) => c.trim()) : first.cells.map((_, i) => `column${i}`);
  const data = hasHeader ? rows.slice(1) : rows;
  if (data.length === 0) throw new Error(`${source}: the CSV file has a header but no data rows`);

  const columnIndex = (col: string | number, what: string): number => {
    const i = typeof col === 'number' ? col : columns.indexOf(col);
    if (!(Number.isInteger(i) && i >= 0 && i < width)) {
      throw new Error(
        `${source}: ${what} ${JSON.stringify(col)} is not a column; the columns are ${columns.map((c) => JSON.stringify(c)).join(', ')}`,
      );
    }
    return i;
  };
  const labelIndex = options.labelColumn === undefined ? -1 : columnIndex(options.labelColumn, 'label column');
  const dropped = new Set((options.dropColumns ?? []).map((c) => columnIndex(c, 'dropped column')));
  const featureIndices = columns.map((_, i) => i).filter((i) => i !== labelIndex && !dropped.has(i));
  if (featureIndices.length === 0) throw new Error(`${source}: no feature columns are left`);

  const features = new Float32Array(data.length * featureIndices.length);
  const labelCells: string[] = [];
  data.forEach((row, r) => {
    if (row.cells.length !== width) {
      throw new Error(`${source}: line ${row.line} has ${row.cells.length} fields, expected ${width} like line ${first.line}`);
    }
    featureIndices.forEach((c, k) => {
      const cell = row.cells[c]!.trim();
      if (!NUMBER.test(cell)) {
        throw new Error(
          `${source}: line ${row.line}, column ${JSON.stringify(columns[c])}: ${JSON.stringify(cell)} is not a number`,
        );
      }
      features[r * featureIndices.length + k] = Number(cell);
    });
    if (labelIndex >= 0) labelCells.push(row.cells[labelIndex]!.trim());
  });

  const set: TabularSet = { features, shape: [data.length, featureIndices.length], columns: featureIndices.map((i) => columns[i]!) };
  return labelIndex < 0 ? set : { ...set, ...encodeLabels(labelCells, data, columns[labelIndex]!, source) };
}

function encodeLabels(
  cells: string[],
  rows: { line: number }[],
  column: string,
  source: string,
): { labels: Int32Array; labelNames?: string[] } {
  const empty = cells.findIndex((c) => c === '');
  if (empty >= 0) throw new Error(`${source}: line ${rows[empty]!.line}, label column ${JSON.stringify(column)} is empty`);
  if (cells.every((c) => NUMBER.test(c))) {
    const labels = new Int32Array(cells.length);
    cells.forEach((c, i) => {
      const v = Number(c);
      if (!Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1) {
        throw new Error(
          `${source}: line ${rows[i]!.line}, label column ${JSON.stringify(column)}: ${c} is not an integer class`,
        );
      }
      labels[i] = v;
    });
    return { labels };
  }
  const labelNames = [...new Set(cells)].sort();
  const index = new Map(labelNames.map((n, i) => [n, i]));
  return { labels: Int32Array.from(cells, (c) => index.get(c)!), labelNames };
}

/** Splits CSV text into records of raw cells, keeping each record's first line number (1-based). */
function splitRecords(text: string, delimiter: string, source: string): { line: number; cells: string[] }[] {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 0;
  const endRecord = () => {
    cells.push(cell);
    // A blank line (one empty cell) is skipped, not read as a row with one empty field.
    if (!(cells.length === 1 && cells[0]!.trim() === '')) records.push({ line: recordLine, cells });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      quoteLine = line;
      cell = '';
    } else if (ch === delimiter) {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else cell += ch;
  }
  if (quoted) throw new Error(`${source}: line ${quoteLine}: a quoted field is never closed`);
  if (cell !== '' || cells.length > 0) endRecord();
  return records;
}

/** Options of {@link loadCsv}. */
export interface LoadCsvOptions extends ParseCsvOptions {
  /** Keep one split only: rows are assigned by a hash of their position among the data rows. */
  split?: Split;
  /** Fraction of rows in the `test` split (default 0.1). */
  testFraction?: number;
}

/**
 * Loads a CSV file of numbers as a {@link TabularSet} (see {@link parseCsv} for the rules).
 *
 * @example
 * ```ts
 * const train = await loadCsv('readings.csv', { labelColumn: 'label', split: 'train' });
 * const test = await loadCsv('readings.csv', { labelColumn: 'label', split: 'test' });
 * ```
 */
export async function loadCsv(path: string, options: LoadCsvOptions = {}): Promise<TabularSet> {
  const bytes = await readDataFile(path, 'CSV file');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${path}: not UTF-8 text; a CSV file of numbers is expected`);
  }
  const set = parseCsv(text, options, path);
  if (options.split === undefined) return set;
  const split = checkSplit(options.split, 'loadCsv');
  const testFraction = checkFraction(options.testFraction ?? 0.1, 'loadCsv testFraction');
  const rows: number[] = [];
  for (let i = 0; i < set.shape[0]; i++) if (isHeldOut(`row:${i}`, testFraction) === (split === 'test')) rows.push(i);
  if (rows.length === 0) throw new Error(`${path}: no rows fall in the ${split} split (${set.shape[0]} rows in all)`);
  return selectRows(set, rows);
}

/**
 * The rows at `indices` (in that order) as a new {@link TabularSet}.
 *
 * @example
 * ```ts
 * const head = selectRows(set, [0, 1, 2]);
 * ```
 */
export function selectRows(set: TabularSet, indices: ArrayLike<number>): TabularSet {
  const [n, d] = set.shape;
  const features = new Float32Array(indices.length * d);
  const labels = set.labels ? new Int32Array(indices.length) : undefined;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new Error(`selectRows: index ${i} is outside 0..${n - 1}`);
    features.set(set.features.subarray(i * d, (i + 1) * d), k * d);
    if (labels) labels[k] = set.labels![i]!;
  }
  return {
    features,
    shape: [indices.length, d],
    columns: set.columns,
    ...(labels ? { labels } : {}),
    ...(set.labelNames ? { labelNames: set.labelNames } : {}),
  };
}
