/**
 * The map's 2-D coordinates. Raw latent dims are read straight from the session; PCA, UMAP and
 * t-SNE come from the engine's `project` with progress and cancel, and are kept once computed.
 */
import type { ProjectionMethod, Session } from '../../../shared/protocol';
import type { EngineClient } from '../../host/engineClient';

export interface Projection {
  method: ProjectionMethod;
  x: Float32Array;
  y: Float32Array;
  /** Raw maps: the latent dims on the axes. */
  dims?: [number, number];
  note?: string;
}

export const methodNames: Record<ProjectionMethod, string> = { raw: 'latent dims', pca: 'PCA', umap: 'UMAP', tsne: 't-SNE' };

export interface RunningProjection {
  result: Promise<Projection>;
  cancel(): void;
}

export function rawProjection(session: Pick<Session, 'count' | 'latentDim' | 'latents'>, dims: [number, number]): Projection {
  const x = new Float32Array(session.count);
  const y = new Float32Array(session.count);
  for (let i = 0; i < session.count; i++) {
    x[i] = session.latents[i * session.latentDim + dims[0]]!;
    y[i] = session.latents[i * session.latentDim + dims[1]]!;
  }
  return { method: 'raw', x, y, dims };
}

export function engineProjection(client: EngineClient, session: Session, method: Exclude<ProjectionMethod, 'raw'>, onProgress: (fraction: number, stage: string) => void): RunningProjection {
  const request = client.request('project', { sessionId: session.sessionId, method }, (event) => {
    if (event.event === 'projectProgress') onProgress(event.data.fraction, event.data.stage);
  });
  return {
    cancel: request.cancel,
    result: request.result.then(({ coordinates, note }) => {
      const count = coordinates.length / 2;
      const x = new Float32Array(count);
      const y = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        x[i] = coordinates[2 * i]!;
        y[i] = coordinates[2 * i + 1]!;
      }
      return { method, x, y, ...(note ? { note } : {}) };
    }),
  };
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
