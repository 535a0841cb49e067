/**
 * Where each point sits on the notebook map: the raw dims for 1- or 2-D latents, PCA computed in the
 * browser above that (no engine stands behind a notebook output). 3-D latents get PCA as well:
 * without the explorer's axis pickers, the plane of most variance shows more than any fixed pair.
 */
import { formatPercent } from '../common/format';
import { principalAxes, projectOnto } from './browserPca';
import { type Projection, rawProjection } from '../common/map/projection';
import type { LatentMapData } from '../../shared/notebookPayload';

export function needsPca(data: LatentMapData): boolean {
  return data.latentDim > 2;
}

export function notebookProjection(data: LatentMapData): Projection {
  if (!needsPca(data)) return rawProjection(data, [0, Math.min(1, data.latentDim - 1)]);
  const pca = principalAxes(data.latents, data.count, data.latentDim, 2);
  const [x, y] = projectOnto(data.latents, data.count, pca) as [Float32Array, Float32Array];
  const explained = pca.totalVariance > 0 ? (pca.variances[0]! + pca.variances[1]!) / pca.totalVariance : 0;
  return { method: 'pca', x, y, note: `PCA of ${data.latentDim} dims, ${formatPercent(explained)} of the variance` };
}
