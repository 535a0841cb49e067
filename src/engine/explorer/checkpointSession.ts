/**
 * Sessions over a Latent Lab checkpoint: its data (or data the user chose, of the same shape)
 * encoded once in the model's normalisation, with reconstruction errors, KL per dimension for VAEs
 * and the training history the checkpoint carries.
 */
import { EngineError, type OpenSessionParams } from '../../shared/protocol';
import type { Backend, Tf } from '../backend';
import { DataError } from '../data/dataset';
import { openSampleRows } from '../data/loadDataset';
import type { SampleRows } from '../data/sampleRows';
import { encodeDataset } from '../models/encodeAll';
import type { BuiltModel } from '../models/modelKind';
import { openCheckpoint } from '../models/openCheckpoint';
import { columnMoments } from './columnMoments';
import type { OpenedSession } from './sessions';

const DIAGNOSTIC_SAMPLES = 2048;

export async function openCheckpointSession(
  backend: Backend,
  params: OpenSessionParams & { checkpoint: string },
  signal?: AbortSignal,
): Promise<OpenedSession> {
  if (params.labels !== undefined || params.images !== undefined) throw new EngineError('bad-request', `${params.checkpoint}: labels and images go with latents; a checkpoint explores its data (choose it with data)`);
  const { tf } = backend;
  const { model, meta, descriptor } = await openCheckpoint(tf, params.checkpoint);
  let rows: SampleRows | undefined;
  try {
    const source = params.data ?? meta.dataset?.source;
    if (!source) throw new DataError(`${params.checkpoint}: the checkpoint does not record its dataset — choose the data to explore`);
    rows = await openSampleRows(source, { limit: params.limit, signal, normalization: meta.normalization });
    if (rows.shape.join('×') !== meta.inputShape.join('×')) {
      throw new DataError(`${rows.source}: samples have shape ${rows.shape.join('×')} but the model expects ${meta.inputShape.join('×')} — choose data like the training data`);
    }
    const { latents, errors } = await encodeDataset(tf, model, rows, { withErrors: true, signal });
    const { mean, std } = columnMoments(latents, rows.count, model.latentDim);
    const config = model.config as { k?: number; codebookSize?: number };
    return {
      open: {
        kind: meta.kind,
        model,
        inputShape: meta.inputShape,
        rows,
        count: rows.count,
        latentDim: model.latentDim,
        latents,
        checkpoint: params.checkpoint,
        timeline: { dataSource: rows.source, count: rows.count, aligned: new Map() },
      },
      session: {
        kind: meta.kind,
        capabilities: descriptor.capabilities,
        checkpoint: params.checkpoint,
        dataSource: rows.source,
        latentDim: model.latentDim,
        inputShape: rows.shape,
        count: rows.count,
        totalCount: rows.totalCount,
        ...(rows.labels ? { labels: rows.labels } : {}),
        ...((rows.labelNames ?? meta.labelNames) ? { labelNames: rows.labelNames ?? meta.labelNames } : {}),
        latents,
        reconstructionError: errors!,
        latentMean: mean,
        latentStd: std,
        ...(await klPerDim(tf, model, rows)),
        ...(config.k === undefined ? {} : { k: config.k }),
        ...(config.codebookSize === undefined ? {} : { codebookSize: config.codebookSize }),
        history: meta.history,
      },
    };
  } catch (error) {
    model.dispose();
    await rows?.close();
    throw error;
  }
}

async function klPerDim(tf: Tf, model: BuiltModel<unknown>, rows: SampleRows): Promise<{ klPerDim?: number[] }> {
  if (!model.metrics) return {};
  const first = Int32Array.from({ length: Math.min(rows.count, DIAGNOSTIC_SAMPLES) }, (_, i) => i);
  const batch = tf.tensor(await rows.read(first), [first.length, ...rows.shape]);
  try {
    const metrics = await model.metrics(batch);
    return Array.isArray(metrics.klPerDim) ? { klPerDim: metrics.klPerDim } : {};
  } finally {
    batch.dispose();
  }
}
