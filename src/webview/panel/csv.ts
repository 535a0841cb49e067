/** CSV of map coordinates, for the export buttons (RFC 4180: fields with commas, quotes or line breaks are quoted). */

export interface CsvRows {
  indices: ArrayLike<number>;
  /** The map coordinates of indices[r] are x[r], y[r]. */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** The label column's text per sample, or undefined when the dataset has no labels. */
  labelOf?: (index: number) => string;
  /** Columns after the label (the session's metadata): a header and each sample's text, '' for null. */
  columns?: { name: string; textOf: (index: number) => string }[];
}

export function coordinatesCsv({ indices, x, y, labelOf, columns = [] }: CsvRows): string {
  const lines = [['index', 'x', 'y', 'label', ...columns.map(({ name }) => quote(name))].join(',')];
  for (let row = 0; row < indices.length; row++) {
    const index = indices[row]!;
    let line = `${index},${x[row]},${y[row]},${labelOf ? quote(labelOf(index)) : ''}`;
    for (const { textOf } of columns) line += `,${quote(textOf(index))}`;
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

function quote(field: string): string {
  return /[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}
