/**
 * Explorer sessions: a checkpoint and a dataset encoded once (or bare latents read from a file),
 * kept in the engine so that hover, slider and grid requests only decode. Every tensor lives inside
 * a tidy; sessions free their model on close.
 */
import { randomUUID } from 'node:crypto';
import { EngineError, type OpenSessionParams, type Session } from '../../../shared/protocol';
import type { Backend, Tf } from '../backend';
import { DataError, sampleSize } from '../data/dataset';
import { inspectDataset, loadDataset } from '../data/loadDataset';
import { renormalize } from '../data/renormalize';
import { encodeDataset } from '../models/encodeAll';
import type { BuiltModel } from '../models/modelKind';
import { openCheckpoint } from '../models/openCheckpoint';
import type { ForeignCodec } from '../foreign/openForeign';
import { columnMoments } from './columnMoments';
import { openForeignSession } from './foreignSession';
import { openLatents } from './latentsSession';

export interface OpenSession {
  id: string;
  kind: Session['kind'];
  /** Absent when there is nothing to encode or decode with; `noDecoderReason` then says why. */
  model?: BuiltModel<unknown>;
  /** A model made elsewhere, in place of `model` (kind `foreign`). */
  foreign?: ForeignCodec;
  noDecoderReason?: string;
  /** Per-sample input shape; [] when the session has no inputs. */
  inputShape: number[];
  /** Inputs in the model's normalisation, [count, ...inputShape]; empty without inputs. */
  x: Float32Array;
  count: number;
  latentDim: number;
  latents: Float32Array;
}

const DIAGNOSTIC_SAMPLES = 2048;

export class Sessions {
  private readonly open = new Map<string, OpenSession>();

  constructor(private readonly backend: Backend) {}

  async create(params: OpenSessionParams, signal?: AbortSignal): Promise<Session> {
    if (params.model !== undefined || params.latents !== undefined) {
      const { open, session } = params.model !== undefined ? await openForeignSession(this.backend, { ...params, model: params.model }, signal) : await openLatents({ ...params, latents: params.latents! }, signal);
      const id = randomUUID();
      this.open.set(id, { id, ...open });
      return { sessionId: id, ...session };
    }
    if (params.checkpoint === undefined) throw new EngineError('bad-request', 'openSession needs a checkpoint folder, a model made elsewhere (with data), or latents (a .npy) to explore without a model');
    if (params.labels !== undefined || params.images !== undefined) throw new EngineError('bad-request', `${params.checkpoint}: labels and images go with latents; a checkpoint explores its data (choose it with data)`);
    const { tf } = this.backend;
    const { model, meta } = await openCheckpoint(tf, params.checkpoint);
    try {
      const source = params.data ?? meta.dataset?.source;
      if (!source) throw new DataError(`${params.checkpoint}: the checkpoint does not record its dataset — choose the data to explore`);
      const dataset = await loadDataset(source, { limit: params.limit, signal });
      if (dataset.shape.join('×') !== meta.inputShape.join('×')) {
        throw new DataError(`${dataset.source}: samples have shape ${dataset.shape.join('×')} but the model expects ${meta.inputShape.join('×')} — choose data like the training data`);
      }
      const x = renormalize(dataset, meta.normalization);
      const { latents, errors } = await encodeDataset(tf, model, x, dataset.shape, { withErrors: true, signal });
      const { mean, std } = columnMoments(latents, dataset.count, model.latentDim);
      const session: OpenSession = { id: randomUUID(), kind: meta.kind as Session['kind'], model, inputShape: meta.inputShape, x, count: dataset.count, latentDim: model.latentDim, latents };
      this.open.set(session.id, session);
      const config = model.config as { k?: number; codebookSize?: number };
      return {
        sessionId: session.id,
        kind: session.kind,
        checkpoint: params.checkpoint,
        dataSource: dataset.source,
        latentDim: model.latentDim,
        inputShape: dataset.shape,
        count: dataset.count,
        // Only a limited session needs the full size, and the header says it without reading the data.
        totalCount: params.limit === undefined ? dataset.count : (await inspectDataset(source, { signal })).count,
        ...(dataset.labels ? { labels: dataset.labels } : {}),
        ...((dataset.labelNames ?? meta.labelNames) ? { labelNames: dataset.labelNames ?? meta.labelNames } : {}),
        latents,
        reconstructionError: errors!,
        latentMean: mean,
        latentStd: std,
        ...(await this.klPerDim(tf, model, x, dataset.shape, dataset.count)),
        ...(config.k === undefined ? {} : { k: config.k }),
        ...(config.codebookSize === undefined ? {} : { codebookSize: config.codebookSize }),
        history: meta.history,
      };
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  get(id: string): OpenSession {
    const session = this.open.get(id);
    if (!session) throw new EngineError('bad-request', `no open session ${id}; it was closed or the engine restarted — reopen the checkpoint`);
    return session;
  }

  close(id: string): boolean {
    const session = this.open.get(id);
    session?.model?.dispose();
    session?.foreign?.dispose();
    return this.open.delete(id);
  }

  private async klPerDim(tf: Tf, model: BuiltModel<unknown>, x: Float32Array, shape: number[], count: number): Promise<{ klPerDim?: number[] }> {
    if (!model.metrics) return {};
    const rows = Math.min(count, DIAGNOSTIC_SAMPLES);
    const batch = tf.tensor(x.subarray(0, rows * sampleSize(shape)), [rows, ...shape]);
    try {
      const metrics = await model.metrics(batch);
      return Array.isArray(metrics.klPerDim) ? { klPerDim: metrics.klPerDim } : {};
    } finally {
      batch.dispose();
    }
  }
}
