/** CSV of map coordinates, for the export buttons. */

export interface CsvRows {
  indices: ArrayLike<number>;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** The label column's text per sample, or undefined when the dataset has no labels. */
  labelOf?: (index: number) => string;
}

export function coordinatesCsv({ indices, x, y, labelOf }: CsvRows): string {
  const lines = ['index,x,y,label'];
  for (let row = 0; row < indices.length; row++) {
    const index = indices[row]!;
    lines.push(`${index},${x[index]},${y[index]},${labelOf ? quote(labelOf(index)) : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

function quote(field: string): string {
  return /[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}
