/**
 * The notebook renderer's own PCA: it draws in the browser with no engine and no tfjs, so it cannot
 * call the engine's (src/engine/projection/pca). The covariance in float64, then its leading
 * eigenvectors by power iteration, each found axis projected out of the next search (deflation).
 * A map needs two axes, and two axes of a d×d matrix need only matrix–vector products, where a
 * full eigen-decomposition would cost O(d³) per sweep.
 */

export interface PrincipalAxes {
  dims: number;
  mean: Float64Array;
  /** Row-major [axes, dims]: unit vectors by decreasing variance. */
  axes: Float64Array;
  /** The variance of the data along each axis (the covariance's eigenvalues). */
  variances: Float64Array;
  /** The variance of all dims together (the covariance's trace), for the share each axis explains. */
  totalVariance: number;
}

export interface Eigenpairs {
  /** Descending. */
  values: Float64Array;
  /** Row-major [count, n]: row k is the unit eigenvector of values[k]. */
  vectors: Float64Array;
}

const MAX_ITERATIONS = 2000;
/** Change of the unit vector between iterations below which it has converged. */
const TOLERANCE = 1e-12;
/** Variance below this share of the total is rounding noise, not a direction to normalise and follow. */
const NEGLIGIBLE = 1e-13;

/** Column means and the sample covariance (n − 1 denominator) of a row-major [rows, dims] matrix. */
export function covariance(data: ArrayLike<number>, rows: number, dims: number): { mean: Float64Array; matrix: Float64Array } {
  const mean = new Float64Array(dims);
  for (let r = 0; r < rows; r++) for (let c = 0; c < dims; c++) mean[c]! += data[r * dims + c]!;
  for (let c = 0; c < dims; c++) mean[c]! /= Math.max(1, rows);
  const matrix = new Float64Array(dims * dims);
  const centred = new Float64Array(dims);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < dims; c++) centred[c] = data[r * dims + c]! - mean[c]!;
    for (let i = 0; i < dims; i++) {
      const ci = centred[i]!;
      for (let j = i; j < dims; j++) matrix[i * dims + j]! += ci * centred[j]!;
    }
  }
  const denominator = Math.max(1, rows - 1);
  for (let i = 0; i < dims; i++) {
    for (let j = i; j < dims; j++) {
      const value = matrix[i * dims + j]! / denominator;
      matrix[i * dims + j] = value;
      matrix[j * dims + i] = value;
    }
  }
  return { mean, matrix };
}

/**
 * The `count` largest eigenpairs of a symmetric positive semi-definite n×n matrix. Each vector's
 * sign is fixed (its largest component positive), so the same data always gives the same picture.
 */
export function leadingEigenpairs(matrix: ArrayLike<number>, n: number, count: number): Eigenpairs {
  const values = new Float64Array(count);
  const vectors = new Float64Array(count * n);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += matrix[i * n + i]!;
  for (let k = 0; k < count; k++) {
    const found = vectors.subarray(0, k * n);
    let vector = startVector(n, k);
    orthogonalise(vector, found, n);
    normalise(vector);
    let value = 0;
    for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      const next = multiply(matrix, vector, n);
      orthogonalise(next, found, n);
      const length = normalise(next);
      // No variance is left outside the axes found so far: any orthogonal direction will do.
      if (length <= NEGLIGIBLE * trace) break;
      value = length;
      const change = distance(next, vector);
      vector = next;
      if (change < TOLERANCE) break;
    }
    fixSign(vector);
    values[k] = value;
    vectors.set(vector, k * n);
  }
  return { values, vectors };
}

export function principalAxes(data: ArrayLike<number>, rows: number, dims: number, count: number): PrincipalAxes {
  const { mean, matrix } = covariance(data, rows, dims);
  const { values, vectors } = leadingEigenpairs(matrix, dims, Math.min(count, dims));
  let totalVariance = 0;
  for (let i = 0; i < dims; i++) totalVariance += matrix[i * dims + i]!;
  return { dims, mean, axes: vectors, variances: values, totalVariance };
}

/** The coordinates of every row on each axis: one array per axis. */
export function projectOnto(data: ArrayLike<number>, rows: number, pca: PrincipalAxes): Float32Array[] {
  const { dims, mean, axes } = pca;
  const count = axes.length / dims;
  const coordinates = Array.from({ length: count }, () => new Float32Array(rows));
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < count; k++) {
      let sum = 0;
      for (let c = 0; c < dims; c++) sum += (data[r * dims + c]! - mean[c]!) * axes[k * dims + c]!;
      coordinates[k]![r] = sum;
    }
  }
  return coordinates;
}

/**
 * A deterministic, irregular start: a structured one (all ones, a unit axis) is orthogonal to the
 * leading axis of symmetric data too often, and power iteration never leaves an orthogonal start.
 */
function startVector(n: number, k: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin(12.9898 * (i + 1) + 78.233 * (k + 1)) + 1.5);
}

function multiply(matrix: ArrayLike<number>, vector: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += matrix[i * n + j]! * vector[j]!;
    out[i] = sum;
  }
  return out;
}

/**
 * Removes the components along the rows of `basis` (unit vectors, row-major [*, n]). Twice: one
 * Gram–Schmidt pass loses orthogonality when most of the vector lay along the basis.
 */
function orthogonalise(vector: Float64Array, basis: Float64Array, n: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let row = 0; row < basis.length; row += n) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += vector[i]! * basis[row + i]!;
      for (let i = 0; i < n; i++) vector[i]! -= dot * basis[row + i]!;
    }
  }
}

/** Scales to unit length (left as is when zero); returns the length it had. */
function normalise(vector: Float64Array): number {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const length = Math.sqrt(sum);
  if (length > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= length;
  return length;
}

function distance(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum);
}

function fixSign(vector: Float64Array): void {
  let largest = 0;
  for (let i = 1; i < vector.length; i++) if (Math.abs(vector[i]!) > Math.abs(vector[largest]!)) largest = i;
  if (vector[largest]! < 0) for (let i = 0; i < vector.length; i++) vector[i] = -vector[i]!;
}
