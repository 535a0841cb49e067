/**
 * PCA of an [n, d] matrix by subspace iteration on the covariance (tfjs has no eig/SVD): a few
 * dozen products with a d×d matrix, then Rayleigh–Ritz on the small projected problem. Exact to
 * float32 precision for the leading components, and fast because all heavy work is matMul.
 */
import type { Tf } from '../../backend';
import { symmetricEigen } from './symmetricEigen';

export interface Pca {
  mean: Float32Array;
  /** Row-major [components, d]: each row a unit principal axis, by decreasing variance. */
  components: Float32Array;
  explainedVariance: Float32Array;
  dims: number;
}

export async function fitPca(tf: Tf, data: Float32Array, rows: number, dims: number, components: number, iterations = 40, seed = 0): Promise<Pca> {
  const k = Math.min(components, dims);
  // Oversampling speeds convergence of the leading components.
  const width = Math.min(dims, k + 8);
  const { mean, covariance, ridge } = tf.tidy(() => {
    const x = tf.tensor2d(data, [rows, dims]);
    const mu = tf.mean(x, 0);
    const centered = tf.sub(x, mu);
    const scatter = tf.div(tf.matMul(centered, centered, true, false), Math.max(1, rows - 1));
    // A small ridge keeps the covariance full rank: tfjs's QR returns NaN for an all-zero column,
    // which rank-deficient latents (dead units, collinear points, n ≤ d) would otherwise produce.
    const trace = tf.sum(tf.mul(scatter, tf.eye(dims)));
    const ridge = tf.add(tf.div(trace, dims * 1e6), 1e-12);
    return { mean: mu, covariance: tf.add(scatter, tf.mul(tf.eye(dims), ridge)), ridge };
  });
  let basis = tf.tidy(() => tf.linalg.qr(tf.randomNormal([dims, width], 0, 1, 'float32', seed))[0]);
  for (let i = 0; i < iterations; i++) {
    const next = tf.tidy(() => tf.linalg.qr(tf.matMul(covariance, basis))[0]);
    basis.dispose();
    basis = next;
  }
  const projected = tf.tidy(() => tf.matMul(basis, tf.matMul(covariance, basis), true, false));
  const small = symmetricEigen(await projected.data(), width);
  const basisValues = await basis.data();
  const meanValues = (await mean.data()) as Float32Array;
  const ridgeValue = (await ridge.data())[0]!;
  tf.dispose([mean, covariance, ridge, basis, projected]);
  const axes = new Float32Array(k * dims);
  for (let c = 0; c < k; c++) {
    for (let row = 0; row < dims; row++) {
      let sum = 0;
      for (let j = 0; j < width; j++) sum += basisValues[row * width + j]! * small.vectors[j * width + c]!;
      axes[c * dims + row] = sum;
    }
  }
  return { mean: meanValues, components: axes, explainedVariance: Float32Array.from(small.values.subarray(0, k), (value) => Math.max(0, value - ridgeValue)), dims };
}

/** Inside a tidy: centred data on the first `count` axes, and those axes. */
function project(tf: Tf, pca: Pca, data: Float32Array, rows: number, count: number) {
  const axes = tf.tensor2d(pca.components.subarray(0, count * pca.dims), [count, pca.dims]);
  const mean = tf.tensor1d(pca.mean);
  return { axes, mean, coordinates: tf.matMul(tf.sub(tf.tensor2d(data, [rows, pca.dims]), mean), axes, false, true) };
}

/** Values per block of rows in pcaTransform. */
const TRANSFORM_BLOCK_VALUES = 1 << 20;

/**
 * Coordinates of rows of `data` on the first `count` axes: [rows, count]. In blocks of rows: at a
 * million 16-d latents one product took 1.9 s, blocks of 65,536 rows 0.56 s in all.
 */
export function pcaTransform(tf: Tf, pca: Pca, data: Float32Array, rows: number, count = pca.components.length / pca.dims): Float32Array {
  const blockRows = Math.max(1, Math.floor(TRANSFORM_BLOCK_VALUES / pca.dims));
  const coordinates = new Float32Array(rows * count);
  for (let start = 0; start < rows; start += blockRows) {
    const block = Math.min(blockRows, rows - start);
    const values = data.subarray(start * pca.dims, (start + block) * pca.dims);
    coordinates.set(tf.tidy(() => project(tf, pca, values, block, count).coordinates.dataSync() as Float32Array), start * count);
  }
  return coordinates;
}

/** Reconstruction from the first `count` components (for the PCA-parity benchmark). */
export function pcaReconstruct(tf: Tf, pca: Pca, data: Float32Array, rows: number, count: number): Float32Array {
  return tf.tidy(() => {
    const { axes, mean, coordinates } = project(tf, pca, data, rows, count);
    return tf.add(tf.matMul(coordinates, axes), mean).dataSync() as Float32Array;
  });
}
