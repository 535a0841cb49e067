import type { Tf } from '../backend';
import { seededRandom } from '../training/random';
import { fitPca, pcaTransform } from './pca';

/**
 * The starting layout of UMAP and t-SNE: the first two principal components, which keep the global
 * arrangement that a random start loses, scaled so the first has unit standard deviation. With one
 * input dimension the second axis is seeded Gaussian noise, since a constant axis would never move.
 */
export async function pcaLayout(tf: Tf, data: Float32Array, n: number, d: number, seed: number): Promise<Float32Array> {
  const projected = pcaTransform(tf, await fitPca(tf, data, n, d, 2, 40, seed), data, n);
  const width = projected.length / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += projected[i * width]! ** 2;
  const scale = 1 / (Math.sqrt(squares / n) || 1);
  const random = seededRandom(seed);
  const layout = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    layout[2 * i] = projected[i * width]! * scale;
    layout[2 * i + 1] = width > 1 ? projected[i * width + 1]! * scale : Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  }
  return layout;
}
