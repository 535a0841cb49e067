/**
 * The map's 2-D coordinates. Raw latent dims are read straight from the session; PCA, UMAP and
 * t-SNE come from the engine in the panel (panel/views/map/engineProjection.ts), or from the
 * notebook renderer's own PCA.
 */
import type { ProjectionMethod, Session } from '../../../shared/protocol';

export interface Projection {
  method: ProjectionMethod;
  x: Float32Array;
  y: Float32Array;
  /** Raw maps: the latent dims on the axes. */
  dims?: [number, number];
  note?: string;
  /**
   * The data range to frame, where it is not the points' own: layouts that follow one another (the
   * epochs of a timeline) share one, and a new projection with the same extent keeps the view.
   */
  extent?: { x: [number, number]; y: [number, number] };
}

export const methodNames: Record<ProjectionMethod, string> = { raw: 'latent dims', pca: 'PCA', umap: 'UMAP', tsne: 't-SNE' };

export function rawProjection(session: Pick<Session, 'count' | 'latentDim' | 'latents'>, dims: [number, number]): Projection {
  const x = new Float32Array(session.count);
  const y = new Float32Array(session.count);
  for (let i = 0; i < session.count; i++) {
    x[i] = session.latents[i * session.latentDim + dims[0]]!;
    y[i] = session.latents[i * session.latentDim + dims[1]]!;
  }
  return { method: 'raw', x, y, dims };
}

/** The methods the map offers: raw dims for small latents, where they are the whole picture; reductions above. */
export function availableMethods(latentDim: number): ProjectionMethod[] {
  return latentDim <= 3 ? ['raw'] : ['pca', 'umap', 'tsne'];
}

/** The method a map of `latentDim` dims uses when `wanted` is asked for: it, where it is offered. */
export function methodFor(latentDim: number, wanted: ProjectionMethod): ProjectionMethod {
  const methods = availableMethods(latentDim);
  return methods.includes(wanted) ? wanted : methods[0]!;
}
