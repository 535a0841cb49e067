/** Real latents without training a model: the bundled digits on their leading principal components. */
import { loadBackend } from '../../src/engine/backend';
import type { Dataset } from '../../src/engine/data/dataset';
import { loadDataset } from '../../src/engine/data/loadDataset';
import { fitPca, pcaTransform } from '../../src/engine/projection/pca/pca';

/** The sample (all 5,000 digits, in order) and its [count, dim] latents, row i encoding digit i. */
export async function sampleLatents(dim: number): Promise<{ digits: Dataset; latents: Float32Array }> {
  const { tf } = await loadBackend();
  const digits = await loadDataset('sample');
  const pca = await fitPca(tf, digits.x, digits.count, digits.x.length / digits.count, dim);
  return { digits, latents: pcaTransform(tf, pca, digits.x, digits.count) };
}
