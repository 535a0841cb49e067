/** The latent map's single entry point: 2-D coordinates of n latent vectors by the chosen method. */
import { EngineError, type ProjectionMethod, type ResultOf } from '../../shared/protocol';
import type { Tf } from '../backend';
import { fitPca, pcaTransform } from './pca/pca';
import { tsne, type TsneOptions } from './tsne/tsne';
import { umap, type UmapOptions } from './umap/umap';

/** Row-major [n, 2] coordinates, as the `project` request answers them. */
type Projected = ResultOf<'project'>;

export interface ProjectOptions extends UmapOptions, TsneOptions {
  /** The two latent dimensions that 'raw' shows (default [0, 1]). */
  dims?: [number, number];
}

export async function projectLatents(tf: Tf, data: Float32Array, n: number, d: number, method: ProjectionMethod, options: ProjectOptions = {}): Promise<Projected> {
  if (d < 1 || data.length !== n * d) throw new EngineError('bad-request', `cannot project ${data.length} values as ${n} latents of ${d} dimensions`);
  switch (method) {
    case 'raw':
      return d === 1 ? padded(data, n, method) : { coordinates: columns(data, n, d, options.dims ?? [0, 1]), method };
    case 'pca': {
      if (d === 1) return padded(data, n, method);
      const pca = await fitPca(tf, data, n, d, 2, undefined, options.seed);
      return { coordinates: pcaTransform(tf, pca, data, n, 2), method };
    }
    case 'umap':
      return { coordinates: await umap(tf, data, n, d, options), method };
    case 'tsne':
      return { coordinates: await tsne(tf, data, n, d, options), method };
  }
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
