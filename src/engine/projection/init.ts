import type { Tf } from '../backend';
import { seededRandom } from '../training/random';
import { fitPca, pcaTransform } from './pca/pca';

/**
 * The starting layout of UMAP and t-SNE: the first two principal components, which keep the global
 * arrangement that a random start loses, scaled so the first has unit standard deviation. An axis
 * that PCA cannot give — one-dimensional input, or data with fewer than two directions of variance,
 * where the components are undefined (fitPca then returns NaN) — is seeded Gaussian noise of unit
 * deviation instead, since a constant axis would never move.
 */
export async function pcaLayout(tf: Tf, data: Float32Array, n: number, d: number, seed: number): Promise<Float32Array> {
  const projected = pcaTransform(tf, await fitPca(tf, data, n, d, 2, 40, seed), data, n);
  const width = projected.length / n;
  const random = seededRandom(seed);
  const layout = new Float32Array(n * 2);
  let scale = NaN;
  for (let axis = 0; axis < 2; axis++) {
    let squares = 0;
    for (let i = 0; i < n; i++) squares += axis < width ? projected[i * width + axis]! ** 2 : NaN;
    const deviation = Math.sqrt(squares / n);
    const usable = deviation > 0 && Number.isFinite(deviation);
    if (axis === 0 && usable) scale = 1 / deviation;
    for (let i = 0; i < n; i++) {
      layout[2 * i + axis] = usable && Number.isFinite(scale) ? projected[i * width + axis]! * scale : Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    }
  }
  return layout;
}
