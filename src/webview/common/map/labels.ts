/** A point's label and metadata values as people read them. */
import type { MetadataColumn, Session } from '../../../shared/protocol';

/** Its name when the labels have names, else the class number. */
export function labelText(session: Pick<Session, 'labels' | 'labelNames'>, index: number): string | undefined {
  const label = session.labels?.[index];
  if (label === undefined) return undefined;
  return session.labelNames?.[label] ?? String(label);
}

/** The category, or the number as the file wrote it; undefined where the file has null. */
export function metadataText(column: MetadataColumn, index: number): string | undefined {
  if (column.codes) {
    const code = column.codes[index];
    return code === undefined || code < 0 ? undefined : column.categories?.[code];
  }
  const value = column.values?.[index];
  return value === undefined || Number.isNaN(value) ? undefined : float32Text(value);
}

/**
 * The shortest spelling that reads back as the same float32: widened to a double, the 0.1 a file
 * wrote prints as 0.10000000149011612.
 */
function float32Text(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  for (let digits = 1; digits < 9; digits++) {
    const text = String(Number(value.toPrecision(digits)));
    if (Math.fround(Number(text)) === value) return text;
  }
  return String(Number(value.toPrecision(9)));
}
