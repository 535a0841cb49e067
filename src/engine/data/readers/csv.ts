/**
 * CSV with a header row: numeric feature columns and an optional label column, whose integer
 * values are class indices and whose other values are class names.
 */
import { emptyExtent, widenExtent } from '../arrays';
import { type CsvRecord, eachCsvRecord } from './csvTokenizer';
import { DataError, type LoadOptions } from '../dataset';
import type { FormatReader } from '../formats';
import { checkValueBudget, MAX_LABEL_NAMES, maxDataBytes } from '../limits';

export const DEFAULT_LABEL_COLUMNS = ['label', 'labels', 'class', 'target', 'y'];
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;

interface CsvTable {
  featureCount: number;
  rows: number;
  /** Distinct label cells, in order of first appearance; row label ids index into it. */
  labelKeys?: string[];
}

type RowSink = (values: Float64Array, labelId: number) => void;

export function shown(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function labelIndex(columns: string[], labelColumn: string | null | undefined, where: string): number {
  if (labelColumn === null) return -1;
  if (labelColumn === undefined) return columns.findIndex((name) => DEFAULT_LABEL_COLUMNS.includes(name.toLowerCase()));
  const index = columns.indexOf(labelColumn);
  if (index < 0) throw new DataError(`${where}: has no column ${shown(labelColumn)} for labels; its columns are ${columns.map(shown).join(', ')}`);
  return index;
}

const position = (path: string, record: CsvRecord, field: number) => `${path}:${record.lines[field]}:${record.columns[field]}`;

function cellError(path: string, record: CsvRecord, column: number, name: string, text: string): DataError {
  const at = `${position(path, record, column)}: column ${shown(name)}`;
  if (text === '') return new DataError(`${at} is empty; fill in or drop rows with missing values`);
  if (NOT_FINITE.test(text) || NUMBER.test(text)) return new DataError(`${at} is ${text}; replace NaN and infinite values`);
  return new DataError(`${at} holds ${shown(text)}, not a number; drop non-numeric columns or name it as the label column`);
}

/** Parses every data row (up to `limit`) and hands its features and label id to `sink`. */
async function readCsv(path: string, { limit, signal, labelColumn }: LoadOptions, sink: RowSink): Promise<CsvTable> {
  let columns: string[] | undefined;
  let label = -1;
  let values = new Float64Array(0);
  const featureColumns: number[] = [];
  const labelIds = new Map<string, number>();
  let rows = 0;
  let maxRows = 0;

  const header = (record: CsvRecord) => {
    columns = record.fields.map((name) => name.trim());
    label = labelIndex(columns, labelColumn, path);
    for (let index = 0; index < columns.length; index++) if (index !== label) featureColumns.push(index);
    if (featureColumns.length === 0) throw new DataError(`${path}: has no feature columns besides the label column ${shown(columns[label]!)}`);
    values = new Float64Array(featureColumns.length);
    maxRows = Math.floor(maxDataBytes() / 4 / featureColumns.length);
  };

  // The hot loop: one call per row, no closures or regexes beyond one test per cell.
  const row = (record: CsvRecord, names: string[]) => {
    const { fields } = record;
    if (fields.length !== names.length) {
      const field = Math.min(fields.length, names.length) - 1;
      throw new DataError(`${position(path, record, field)}: this row has ${fields.length} fields but the header has ${names.length}; every row needs one value per column`);
    }
    for (let feature = 0; feature < featureColumns.length; feature++) {
      const column = featureColumns[feature]!;
      const text = fields[column]!.trim();
      const value = Number(text);
      if (!NUMBER.test(text) || !Number.isFinite(value)) throw cellError(path, record, column, names[column]!, text);
      values[feature] = value;
    }
    let labelId = -1;
    if (label >= 0) {
      const key = fields[label]!.trim();
      if (key === '') throw new DataError(`${position(path, record, label)}: the label is empty; every row needs a label`);
      labelId = labelIds.get(key) ?? labelIds.size;
      if (labelId === labelIds.size) labelIds.set(key, labelId);
      if (labelIds.size > MAX_LABEL_NAMES) {
        throw new DataError(`${position(path, record, label)}: column ${shown(names[label]!)} has over ${MAX_LABEL_NAMES} distinct labels; it is not a class column — set labelColumn`);
      }
    }
    if (rows === maxRows) checkValueBudget((rows + 1) * featureColumns.length, path);
    sink(values, labelId);
    rows++;
  };

  await eachCsvRecord(
    path,
    (record) => {
      if (columns) row(record, columns);
      else header(record);
      return limit === undefined || rows < limit;
    },
    signal,
  );
  if (!columns) throw new DataError(`${path}: is empty; expected a header row and data rows`);
  if (rows === 0) throw new DataError(`${path}: has a header but no data rows`);
  return { featureCount: featureColumns.length, rows, labelKeys: label >= 0 ? [...labelIds.keys()] : undefined };
}

/** A label cell that is a whole number (`3`, or `3.0` as numpy and pandas write it). */
export function isClassIndex(key: string): boolean {
  return NUMBER.test(key) && Number.isInteger(Number(key)) && Number(key) >= 0;
}

/**
 * Labels that are all whole numbers (`3`, or `3.0` as numpy and pandas write them) are class
 * indices; any other cell makes every label a class name.
 */
export function resolveLabels(keys: string[], where: string): { classOf: Int32Array; names?: string[] } {
  if (keys.every(isClassIndex)) {
    const classOf = Int32Array.from(keys, Number);
    const tooLarge = keys.find((key) => Number(key) > 0x7fffffff);
    if (tooLarge !== undefined) throw new DataError(`${where}: label ${tooLarge} is too large for a class index; use 0 to 2^31 - 1 or class names`);
    return { classOf };
  }
  const names = [...keys].sort();
  const rank = new Map(names.map((name, index) => [name, index]));
  return { classOf: Int32Array.from(keys, (key) => rank.get(key)!), names };
}

export const csvReader: FormatReader = {
  async load(path, options) {
    let data = new Float64Array(0);
    let used = 0;
    const ids: number[] = [];
    const table = await readCsv(path, options, (values, labelId) => {
      if (used + values.length > data.length) {
        // Doubling, but never past what the value budget allows.
        const grown = new Float64Array(Math.max(used + values.length, Math.min(data.length * 2 || 1024 * values.length, Math.floor(maxDataBytes() / 4))));
        grown.set(data);
        data = grown;
      }
      data.set(values, used);
      used += values.length;
      ids.push(labelId);
    });
    const array = { dtype: 'float64' as const, shape: [table.rows, table.featureCount], data: data.slice(0, used) };
    if (!table.labelKeys) return { array };
    const { classOf, names } = resolveLabels(table.labelKeys, path);
    return { array, labels: Int32Array.from(ids, (id) => classOf[id]!), labelNames: names };
  },
  async inspect(path, options) {
    let extent = emptyExtent();
    const table = await readCsv(path, options, (values) => {
      extent = widenExtent(extent, values, values.length, path);
    });
    const summary = { dtype: 'float64' as const, shape: [table.rows, table.featureCount], ...extent };
    if (!table.labelKeys) return summary;
    const { classOf, names } = resolveLabels(table.labelKeys, path);
    const classes = names ? names.length : classOf.reduce((max, value) => Math.max(max, value), -1) + 1;
    return { ...summary, labels: { count: table.rows, classes, ...(names ? { names } : {}) } };
  },
};
