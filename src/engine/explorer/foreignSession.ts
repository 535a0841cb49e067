/**
 * Sessions over a model made elsewhere (see engine/foreign): the chosen data encoded once by the
 * foreign encoder; hover and sliders decode through its decoder when it has one, and otherwise
 * every request that decodes answers with the reason.
 */
import { EngineError, type OpenSessionParams } from '../../shared/protocol';
import type { ForeignModelSpec } from '../../shared/foreignModel';
import type { Backend } from '../backend';
import { datasetTotal, loadDataset } from '../data/loadDataset';
import { encodeWithForeign } from '../foreign/encodeForeign';
import { openForeignModel } from '../foreign/openForeign';
import { columnMoments } from './columnMoments';
import type { OpenedSession } from './sessions';

export async function openForeignSession(
  backend: Backend,
  params: OpenSessionParams & { model: ForeignModelSpec },
  signal?: AbortSignal,
): Promise<OpenedSession> {
  const { model: spec } = params;
  if (params.checkpoint !== undefined || params.latents !== undefined || params.labels !== undefined || params.images !== undefined) {
    throw new EngineError('bad-request', `${spec.model}: a model made elsewhere is explored on data alone; do not also give a checkpoint, latents, labels or images`);
  }
  if (params.data === undefined) throw new EngineError('bad-request', `${spec.model}: a model made elsewhere does not record its dataset — choose the data to explore`);
  const dataset = await loadDataset(params.data, { limit: params.limit, signal });
  const codec = await openForeignModel(backend, spec, dataset.shape);
  try {
    const { latents, errors } = await encodeWithForeign(codec, dataset.x, dataset.count, { signal, withErrors: true });
    const { mean, std } = columnMoments(latents, dataset.count, codec.latentDim);
    const noDecoderReason = codec.decode ? undefined : codec.noDecoderReason;
    return {
      open: { kind: 'foreign', foreign: codec, ...(noDecoderReason ? { noDecoderReason } : {}), inputShape: dataset.shape, x: dataset.x, count: dataset.count, latentDim: codec.latentDim, latents },
      session: {
        kind: 'foreign',
        capabilities: { decodes: noDecoderReason === undefined, variational: false, adjustableK: false },
        ...(noDecoderReason ? { noDecoderReason } : {}),
        checkpoint: spec.model,
        dataSource: dataset.source,
        latentDim: codec.latentDim,
        inputShape: dataset.shape,
        count: dataset.count,
        totalCount: await datasetTotal(params.data, dataset, params.limit, signal),
        ...(dataset.labels ? { labels: dataset.labels } : {}),
        ...(dataset.labelNames ? { labelNames: dataset.labelNames } : {}),
        latents,
        ...(errors ? { reconstructionError: errors } : {}),
        latentMean: mean,
        latentStd: std,
        history: [],
      },
    };
  } catch (error) {
    codec.dispose();
    throw error;
  }
}
