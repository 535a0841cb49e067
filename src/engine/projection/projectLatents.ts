/** The latent map's single entry point: 2-D coordinates of n latent vectors by the chosen method. */
import { EngineError, type ProjectionMethod, type ResultOf, tsneMaxPoints } from '../../shared/protocol';
import type { Tf } from '../backend';
import { shuffled } from '../training/random';
import { fitPca, pcaTransform } from './pca/pca';
import { pause } from './progress';
import { tsne, type TsneOptions } from './tsne/tsne';
import { umap, type UmapOptions } from './umap/umap';

/** Row-major [n, 2] coordinates, as the `project` request answers them. */
type Projected = ResultOf<'project'>;

export interface ProjectOptions extends UmapOptions, TsneOptions {
  /** The two latent dimensions that 'raw' shows (default [0, 1]). */
  dims?: [number, number];
  /** Project a seeded random sample of this many points only; the answer lists them and says so. */
  subsample?: number;
}

const methodNames: Record<ProjectionMethod, string> = { raw: 'latent dims', pca: 'PCA', umap: 'UMAP', tsne: 't-SNE' };

export async function projectLatents(tf: Tf, data: Float32Array, n: number, d: number, method: ProjectionMethod, options: ProjectOptions = {}): Promise<Projected> {
  if (d < 1 || data.length !== n * d) throw new EngineError('bad-request', `cannot project ${data.length} values as ${n} latents of ${d} dimensions`);
  if (options.subsample !== undefined && options.subsample < n) return projectSubsample(tf, data, n, d, method, { ...options, subsample: options.subsample });
  if (method === 'tsne' && n > tsneMaxPoints) {
    const count = n.toLocaleString('en');
    const limit = tsneMaxPoints.toLocaleString('en');
    throw new EngineError('bad-request', `t-SNE runs on at most ${limit} points (its time grows faster than the count: minutes at ${limit}, about an hour at a million), and these latents have ${count}; choose UMAP for all of them, or t-SNE on a random subsample of ${limit}`);
  }
  switch (method) {
    case 'raw':
      return d === 1 ? padded(data, n, method) : { coordinates: columns(data, n, d, options.dims ?? [0, 1]), method };
    case 'pca': {
      if (d === 1) return padded(data, n, method);
      const pca = await fitPca(tf, data, n, d, 2, undefined, options.seed);
      // Each half blocks the event loop for about half a second at a million points: a cancel can land between.
      await pause(options.signal);
      return { coordinates: pcaTransform(tf, pca, data, n, 2), method };
    }
    case 'umap':
      return { coordinates: await umap(tf, data, n, d, options), method };
    case 'tsne':
      return { coordinates: await tsne(tf, data, n, d, options), method };
  }
}

/** The projection of a seeded random sample of the points, in the data's order, said to be one in its note. */
async function projectSubsample(tf: Tf, data: Float32Array, n: number, d: number, method: ProjectionMethod, options: ProjectOptions & { subsample: number }): Promise<Projected> {
  const { subsample: count, ...rest } = options;
  const seed = options.seed ?? 0;
  const rows = shuffled(n, seed).slice(0, count).sort();
  const sample = new Float32Array(count * d);
  rows.forEach((row, r) => sample.set(data.subarray(row * d, (row + 1) * d), r * d));
  const projected = await projectLatents(tf, sample, count, d, method, rest);
  const said = `${methodNames[method]} of a random subsample of ${count.toLocaleString('en')} of the ${n.toLocaleString('en')} points (seed ${seed}); the others are not on this map`;
  return { ...projected, subsample: rows, note: projected.note ? `${said}; ${projected.note}` : said };
}

function columns(data: Float32Array, n: number, d: number, dims: readonly number[]): Float32Array {
  if (dims.length !== 2 || dims.some((dim) => !Number.isInteger(dim) || dim < 0 || dim >= d)) {
    throw new EngineError('bad-request', `raw projection needs two latent dimensions from 0 to ${d - 1}, got [${dims.join(', ')}]`);
  }
  const coordinates = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    coordinates[2 * i] = data[i * d + dims[0]!]!;
    coordinates[2 * i + 1] = data[i * d + dims[1]!]!;
  }
  return coordinates;
}

/** A one-dimensional latent space drawn along x: (z₀, 0). */
function padded(data: Float32Array, n: number, method: ProjectionMethod): Projected {
  const coordinates = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) coordinates[2 * i] = data[i]!;
  return { coordinates, method, note: `the latent space has one dimension, so the map shows (z0, 0)${method === 'pca' ? ' rather than a projection' : ''}` };
}
