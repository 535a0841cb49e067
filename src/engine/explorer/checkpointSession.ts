/**
 * Sessions over a Latent Lab checkpoint: its data (or data the user chose, of the same shape)
 * encoded once in the model's normalisation, with reconstruction errors, KL per dimension for VAEs
 * and the training history the checkpoint carries.
 */
import { EngineError, type OpenSessionParams } from '../../shared/protocol';
import type { Backend, Tf } from '../backend';
import { DataError, sampleSize } from '../data/dataset';
import { datasetTotal, loadDataset } from '../data/loadDataset';
import { renormalize } from '../data/renormalize';
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
    const config = model.config as { k?: number; codebookSize?: number };
    return {
      open: { kind: meta.kind, model, inputShape: meta.inputShape, x, count: dataset.count, latentDim: model.latentDim, latents },
      session: {
        kind: meta.kind,
        capabilities: descriptor.capabilities,
        checkpoint: params.checkpoint,
        dataSource: dataset.source,
        latentDim: model.latentDim,
        inputShape: dataset.shape,
        count: dataset.count,
        totalCount: await datasetTotal(source, dataset, params.limit, signal),
        ...(dataset.labels ? { labels: dataset.labels } : {}),
        ...((dataset.labelNames ?? meta.labelNames) ? { labelNames: dataset.labelNames ?? meta.labelNames } : {}),
        latents,
        reconstructionError: errors!,
        latentMean: mean,
        latentStd: std,
        ...(await klPerDim(tf, model, x, dataset.shape, dataset.count)),
        ...(config.k === undefined ? {} : { k: config.k }),
        ...(config.codebookSize === undefined ? {} : { codebookSize: config.codebookSize }),
        history: meta.history,
      },
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

async function klPerDim(tf: Tf, model: BuiltModel<unknown>, x: Float32Array, shape: number[], count: number): Promise<{ klPerDim?: number[] }> {
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
