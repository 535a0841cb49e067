/** Per-dimension mean and standard deviation of latent rows: the traversal sliders' ranges. */
export function columnMoments(values: Float32Array, rows: number, columns: number): { mean: number[]; std: number[] } {
  const mean = new Array<number>(columns).fill(0);
  const square = new Array<number>(columns).fill(0);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const v = values[r * columns + c]!;
      mean[c]! += v;
      square[c]! += v * v;
    }
  }
  const n = Math.max(rows, 1);
  return { mean: mean.map((sum) => sum / n), std: square.map((sum, c) => Math.sqrt(Math.max(0, sum / n - (mean[c]! / n) ** 2))) };
}
