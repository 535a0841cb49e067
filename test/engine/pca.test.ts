import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBackend } from '../../src/engine/backend';
import { fitPca, pcaReconstruct, pcaTransform } from '../../src/engine/projection/pca/pca';
import { symmetricEigen } from '../../src/engine/projection/pca/symmetricEigen';
import { seededRandom } from '../../src/engine/training/random';

function correlatedData(rows: number, dims: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const mixing = Array.from({ length: dims * dims }, gaussian);
  const data = new Float32Array(rows * dims);
  for (let r = 0; r < rows; r++) {
    const latent = Array.from({ length: dims }, (_, j) => gaussian() * (dims - j));
    for (let c = 0; c < dims; c++) {
      let sum = 3;
      for (let j = 0; j < dims; j++) sum += mixing[c * dims + j]! * latent[j]!;
      data[r * dims + c] = sum;
    }
  }
  return data;
}

/** Reference: covariance in float64 and a full Jacobi eigen-decomposition. */
function referenceEigen(data: Float32Array, rows: number, dims: number) {
  const mean = new Float64Array(dims);
  for (let r = 0; r < rows; r++) for (let c = 0; c < dims; c++) mean[c]! += data[r * dims + c]! / rows;
  const cov = new Float64Array(dims * dims);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < dims; i++) {
      for (let j = 0; j < dims; j++) cov[i * dims + j]! += ((data[r * dims + i]! - mean[i]!) * (data[r * dims + j]! - mean[j]!)) / (rows - 1);
    }
  }
  return symmetricEigen(cov, dims);
}

test('symmetricEigen diagonalises a known matrix', () => {
  const { values, vectors } = symmetricEigen([2, 1, 0, 1, 2, 0, 0, 0, 5], 3);
  assert.deepEqual(Array.from(values, (v) => Number(v.toFixed(9))), [5, 3, 1]);
  assert.ok(Math.abs(Math.abs(vectors[2 * 3 + 0]!) - 1) < 1e-9, 'the eigenvector of 5 is the third axis');
});

test('fitPca finds the leading eigenpairs of the sample covariance', async () => {
  const { tf } = await loadBackend();
  const rows = 600;
  const dims = 12;
  const data = correlatedData(rows, dims, 11);
  const reference = referenceEigen(data, rows, dims);
  const before = tf.memory().numTensors;
  const pca = await fitPca(tf, data, rows, dims, 3);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(pca.explainedVariance[c]! - reference.values[c]!) / reference.values[c]! < 1e-3, `variance ${c}`);
    let dot = 0;
    for (let i = 0; i < dims; i++) dot += pca.components[c * dims + i]! * reference.vectors[i * dims + c]!;
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-3, `axis ${c} matches up to sign (|dot| = ${Math.abs(dot)})`);
  }
  const coordinates = pcaTransform(tf, pca, data, rows, 2);
  assert.equal(coordinates.length, rows * 2);
  let variance = 0;
  for (let r = 0; r < rows; r++) variance += coordinates[r * 2]! ** 2 / (rows - 1);
  assert.ok(Math.abs(variance - pca.explainedVariance[0]!) / variance < 1e-3, 'projected variance equals the eigenvalue');
  const full = await fitPca(tf, data, rows, dims, dims);
  const reconstruction = pcaReconstruct(tf, full, data, rows, dims);
  let maxError = 0;
  let maxAbs = 0;
  for (let i = 0; i < data.length; i++) {
    maxError = Math.max(maxError, Math.abs(reconstruction[i]! - data[i]!));
    maxAbs = Math.max(maxAbs, Math.abs(data[i]!));
  }
  assert.ok(maxError < 1e-4 * maxAbs, `all components reconstruct the data (max error ${maxError} of ${maxAbs})`);
});

test('fitPca stays finite on rank-deficient latents: a dead unit, collinear points, fewer rows than dims', async () => {
  const { tf } = await loadBackend();
  const deadUnit = Float32Array.from({ length: 40 * 4 }, (_, i) => (i % 4 === 3 ? 0.5 : Math.sin(i * 1.7)));
  const collinear = Float32Array.from({ length: 30 * 3 }, (_, i) => Math.floor(i / 3) * (1 + (i % 3)));
  const tiny = Float32Array.from([1, 2, 3, 4, 5, 6]);
  for (const [data, rows, dims] of [[deadUnit, 40, 4], [collinear, 30, 3], [tiny, 2, 3]] as const) {
    const pca = await fitPca(tf, data, rows, dims, 2);
    assert.ok([...pca.components, ...pca.explainedVariance].every(Number.isFinite), `finite PCA for ${rows}×${dims}`);
    assert.ok(pcaTransform(tf, pca, data, rows, 2).every(Number.isFinite));
  }
  const collinearPca = await fitPca(tf, collinear, 30, 3, 2);
  assert.ok(collinearPca.explainedVariance[1]! < 1e-3 * collinearPca.explainedVariance[0]!, 'a rank-1 set has one real component');
});
