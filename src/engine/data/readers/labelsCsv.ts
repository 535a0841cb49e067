/**
 * A labels file for latents made elsewhere: one label per row, in a CSV with a single column or a
 * column named label, class, target or y. The header row is optional: with a single column it is
 * recognised by such a name, or as the one cell that is not a class index when all the others are.
 */
import { DEFAULT_LABEL_COLUMNS, isClassIndex, resolveLabels, shown } from './csv';
import { type CsvRecord, eachCsvRecord } from './csvTokenizer';
import { DataError } from '../dataset';
import { MAX_LABEL_NAMES } from '../limits';

export interface LabelRows {
  /** One class index per data row. */
  labels: Int32Array;
  /** Present when the labels are names rather than class indices. */
  labelNames?: string[];
}

const isLabelColumnName = (cell: string) => DEFAULT_LABEL_COLUMNS.includes(cell.trim().toLowerCase());

export async function readLabelsCsv(path: string, signal?: AbortSignal): Promise<LabelRows> {
  let column: number | undefined;
  let width = 0;
  /** A single column's first cell, unless its name marks it as the header: data or header, decided at the end. */
  let firstCell: string | undefined;
  const keys = new Map<string, number>();
  const ids: number[] = [];
  const idOf = (key: string): number => {
    let id = keys.get(key);
    if (id === undefined) {
      id = keys.size;
      keys.set(key, id);
      if (keys.size > MAX_LABEL_NAMES) throw new DataError(`${path}: has over ${MAX_LABEL_NAMES} distinct labels; it is not a class column — save one class label per row`);
    }
    return id;
  };

  const header = (record: CsvRecord) => {
    width = record.fields.length;
    column = width === 1 ? 0 : record.fields.findIndex(isLabelColumnName);
    if (column < 0) {
      throw new DataError(`${path}: has ${width} columns (${record.fields.map(shown).join(', ')}) and none is named ${DEFAULT_LABEL_COLUMNS.join(', ')}; save one label per row, or name the label column "label"`);
    }
    if (width === 1 && !isLabelColumnName(record.fields[0]!)) firstCell = record.fields[0]!.trim();
  };

  const row = (record: CsvRecord, at: number) => {
    if (record.fields.length !== width) {
      throw new DataError(`${path}:${record.lines[0]}: this row has ${record.fields.length} fields but the first row has ${width}; every row needs the same columns`);
    }
    const key = record.fields[at]!.trim();
    if (key === '') throw new DataError(`${path}:${record.lines[at]}:${record.columns[at]}: the label is empty; every row needs a label`);
    ids.push(idOf(key));
  };

  await eachCsvRecord(
    path,
    (record) => {
      if (column === undefined) header(record);
      else row(record, column);
      return true;
    },
    signal,
  );
  // A first cell like "digit" above whole-number labels is a header; among other names it is a label.
  const headerAboveIndices = ids.length > 0 && firstCell !== undefined && !isClassIndex(firstCell) && [...keys.keys()].every(isClassIndex);
  if (firstCell !== undefined && !headerAboveIndices) ids.unshift(idOf(firstCell));
  if (ids.length === 0) throw new DataError(`${path}: holds no labels; save one label per row`);
  const { classOf, names } = resolveLabels([...keys.keys()], path);
  return { labels: Int32Array.from(ids, (id) => classOf[id]!), ...(names ? { labelNames: names } : {}) };
}
