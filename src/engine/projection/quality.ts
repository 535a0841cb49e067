/**
 * Trustworthiness (Venna & Kaski 2001, computed as scikit-learn does) of a 2-D layout: it penalises
 * points that are among a point's k nearest in the layout but not in the original space, by how far
 * down the original ranking they are. T = 1 − 2/(n·k·(2n − 3k − 1)) · Σ_i Σ_{j ∈ U_i} (r(i, j) − k),
 * where U_i holds the layout's k nearest of i that are not its k nearest in `high`, and r(i, j) is
 * the rank of j by distance from i in `high` (1 = nearest). 1 is perfect. Brute force, O(n²·d):
 * meant for samples of a few thousand points in tests and benchmarks.
 */
export function trustworthiness(high: Float32Array, low: Float32Array, n: number, dHigh: number, k: number): number {
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) throw new RangeError(`trustworthiness needs 1 ≤ k < n/2, got k = ${k} for n = ${n}`);
  const highDistances = new Float64Array(n);
  const lowDistances = new Float64Array(n);
  const isHighNeighbour = new Int32Array(n).fill(-1);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    squaredDistances(high, dHigh, i, n, highDistances);
    squaredDistances(low, 2, i, n, lowDistances);
    for (const j of nearest(highDistances, k)) isHighNeighbour[j] = i;
    for (const j of nearest(lowDistances, k)) {
      if (isHighNeighbour[j] === i) continue;
      let closer = 0;
      for (let l = 0; l < n; l++) if (highDistances[l]! < highDistances[j]!) closer++;
      // Ties with the k-th neighbour would rank j inside the first k; it is outside them by definition.
      penalty += Math.max(closer + 1, k + 1) - k;
    }
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}

/** Squared distances from row i to every row, with Infinity for i itself so that it is never a neighbour. */
function squaredDistances(data: Float32Array, d: number, i: number, n: number, out: Float64Array): void {
  for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let t = 0; t < d; t++) sum += (data[i * d + t]! - data[j * d + t]!) ** 2;
    out[j] = sum;
  }
  out[i] = Infinity;
}

/** Indices of the k smallest values. */
function nearest(values: Float64Array, k: number): Int32Array {
  const best = new Int32Array(k);
  let count = 0;
  for (let j = 0; j < values.length; j++) {
    const value = values[j]!;
    if (count === k && value >= values[best[k - 1]!]!) continue;
    let slot = count < k ? count++ : k - 1;
    for (; slot > 0 && values[best[slot - 1]!]! > value; slot--) best[slot] = best[slot - 1]!;
    best[slot] = j;
  }
  return best;
}
