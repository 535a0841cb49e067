/**
 * Sessions over a model made elsewhere (see engine/foreign): the chosen data encoded once by the
 * foreign encoder; hover and sliders decode through its decoder when it has one, and otherwise
 * every request that decodes answers with the reason.
 */
import { EngineError, type OpenSessionParams } from '../../shared/protocol';
import type { ForeignModelSpec } from '../../shared/foreignModel';
import type { Backend } from '../backend';
import { openSampleRows } from '../data/loadDataset';
import { encodeRowsWithForeign } from '../foreign/encodeForeign';
import { type ForeignCodec, openForeignModel } from '../foreign/openForeign';
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
  const rows = await openSampleRows(params.data, { limit: params.limit, signal });
  let codec: ForeignCodec | undefined;
  try {
    codec = await openForeignModel(backend, spec, rows.shape);
    const { latents, errors } = await encodeRowsWithForeign(codec, rows, { signal, withErrors: true });
    const { mean, std } = columnMoments(latents, rows.count, codec.latentDim);
    const noDecoderReason = codec.decode ? undefined : codec.noDecoderReason;
    return {
      open: { kind: 'foreign', foreign: codec, ...(noDecoderReason ? { noDecoderReason } : {}), inputShape: rows.shape, rows, count: rows.count, latentDim: codec.latentDim, latents },
      session: {
        kind: 'foreign',
        capabilities: { decodes: noDecoderReason === undefined, variational: false, adjustableK: false },
        ...(noDecoderReason ? { noDecoderReason } : {}),
        checkpoint: spec.model,
        dataSource: rows.source,
        latentDim: codec.latentDim,
        inputShape: rows.shape,
        count: rows.count,
        totalCount: rows.totalCount,
        ...(rows.labels ? { labels: rows.labels } : {}),
        ...(rows.labelNames ? { labelNames: rows.labelNames } : {}),
        latents,
        ...(errors ? { reconstructionError: errors } : {}),
        latentMean: mean,
        latentStd: std,
        history: [],
      },
    };
  } catch (error) {
    codec?.dispose();
    await rows.close();
    throw error;
  }
}
