/** PCA, UMAP and t-SNE maps from the engine's `project`, with progress and cancel. */
import { type ProjectionMethod, type Session, tsneMaxPoints } from '../../../../shared/protocol';
import type { Projection } from '../../../common/map/projection';
import type { RpcClient } from '../../../../shared/rpc';

/** A map of some of the points only: x[r], y[r] belong to point subsample[r], and the note says so. */
export type EngineProjection = Projection & { subsample?: Int32Array };

export interface RunningProjection {
  result: Promise<EngineProjection>;
  cancel(): void;
}

/**
 * What the page must ask before a t-SNE of this session, which the engine refuses above
 * tsneMaxPoints: the reason, and the two ways on — UMAP of every point, or t-SNE of a stated
 * random subsample (request it with `subsample`). Undefined where t-SNE runs on every point.
 */
export function tsneChoice(session: Pick<Session, 'count'>): { reason: string; subsample: number } | undefined {
  if (session.count <= tsneMaxPoints) return undefined;
  const [count, limit] = [session.count.toLocaleString('en'), tsneMaxPoints.toLocaleString('en')];
  return { reason: `t-SNE runs on at most ${limit} points (its time grows faster than the count); this map has ${count}. Show UMAP of all ${count}, or t-SNE of a random ${limit}?`, subsample: tsneMaxPoints };
}

export function engineProjection(client: RpcClient, session: Session, method: Exclude<ProjectionMethod, 'raw'>, onProgress: (fraction: number, stage: string) => void, subsample?: number): RunningProjection {
  const request = client.request('project', { sessionId: session.sessionId, method, ...(subsample === undefined ? {} : { subsample }) }, {
    onEvent: (event) => {
      if (event.event === 'projectProgress') onProgress(event.data.fraction, event.data.stage);
    },
  });
  return {
    cancel: request.cancel,
    result: request.result.then(({ coordinates, note, subsample: rows }) => {
      const count = coordinates.length / 2;
      const x = new Float32Array(count);
      const y = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        x[i] = coordinates[2 * i]!;
        y[i] = coordinates[2 * i + 1]!;
      }
      return { method, x, y, ...(note ? { note } : {}), ...(rows ? { subsample: rows } : {}) };
    }),
  };
}
