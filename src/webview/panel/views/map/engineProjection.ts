/** PCA, UMAP and t-SNE maps from the engine's `project`, with progress and cancel. */
import type { ProjectionMethod, Session } from '../../../../shared/protocol';
import type { Projection } from '../../../common/map/projection';
import type { RpcClient } from '../../../../shared/rpc';

export interface RunningProjection {
  result: Promise<Projection>;
  cancel(): void;
}

export function engineProjection(client: RpcClient, session: Session, method: Exclude<ProjectionMethod, 'raw'>, onProgress: (fraction: number, stage: string) => void): RunningProjection {
  const request = client.request('project', { sessionId: session.sessionId, method }, {
    onEvent: (event) => {
      if (event.event === 'projectProgress') onProgress(event.data.fraction, event.data.stage);
    },
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
