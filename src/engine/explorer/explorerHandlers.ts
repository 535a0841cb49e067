/** Engine handlers for the explorer views: projections, thumbnails, decoding, and the units of models that have them. */
import type { Images } from '../../shared/protocol';
import { EngineError } from '../../shared/protocol';
import type { Backend } from '../backend';
import type { Handler } from '../../shared/rpc';
import { encodeAll } from '../models/encodeAll';
import type { BuiltModel, FeatureUnits } from '../models/modelKind';
import { projectLatents } from '../projection/projectLatents';
import { toPixels, toStretchedPixels } from './pixels';
import { noTimeline, timelineAfter } from './timelineView';
import { changeDirections, readDirections } from '../checkpoint/directions';
import type { OpenSession, Sessions } from './sessions';

export function explorerHandlers(backend: Backend, sessions: Sessions) {
  const { tf } = backend;

  const images = (values: Float32Array, count: number, session: OpenSession, stretch = false): Images => ({
    pixels: stretch ? toStretchedPixels(values, count) : toPixels(values),
    shape: session.inputShape,
    count,
  });

  /** The session's model, or the reason there is none as the request's error. */
  const modelOf = (session: OpenSession): BuiltModel<unknown> => {
    if (!session.model) throw new EngineError('bad-request', session.noDecoderReason ?? 'this session has no model to decode with');
    return session.model;
  };

  const decodeRows = async (session: OpenSession, latents: Float32Array): Promise<Float32Array> => {
    const { latentDim } = session;
    if (latents.length % latentDim !== 0) throw new EngineError('bad-request', `decode: ${latents.length} values are not a whole number of ${latentDim}-d latents`);
    if (session.foreign?.decode) return session.foreign.decode(latents, latents.length / latentDim);
    const model = modelOf(session);
    const out = tf.tidy(() => model.decode(tf.tensor2d(latents, [latents.length / latentDim, latentDim])));
    const values = (await out.data()) as Float32Array;
    out.dispose();
    return values;
  };

  const checkIndices = (session: OpenSession, indices: Int32Array) => {
    for (const index of indices) {
      if (index < 0 || index >= session.count) throw new EngineError('bad-request', `sample index ${index} is outside 0..${session.count - 1}`);
    }
  };

  const project: Handler<'project'> = async (params, context) => {
    const session = sessions.get(params.sessionId);
    return projectLatents(tf, session.latents, session.count, session.latentDim, params.method, {
      ...(params.dims ? { dims: params.dims as [number, number] } : {}),
      ...(params.seed === undefined ? {} : { seed: params.seed }),
      ...(params.subsample === undefined ? {} : { subsample: params.subsample }),
      signal: context.signal,
      onProgress: (fraction, stage) => context.emit('projectProgress', { fraction: Math.min(1, Math.max(0, fraction)), stage }),
    });
  };

  const samples: Handler<'samples'> = async (params) => {
    const session = sessions.get(params.sessionId);
    checkIndices(session, params.indices);
    if (!session.rows) throw new EngineError('bad-request', 'these latents were opened without images, so there are no samples to show; reopen them with images');
    const inputs = await session.rows.read(params.indices);
    const count = params.indices.length;
    const shown = images(inputs, count, session);
    if (session.foreign?.decode) return { inputs: shown, reconstructions: images(await decodeRows(session, await session.foreign.encode(inputs, count)), count, session) };
    if (!session.model) return { inputs: shown };
    const latents = await encodeAll(tf, session.model, inputs, session.inputShape, params.k === undefined ? {} : { k: params.k });
    return { inputs: shown, reconstructions: images(await decodeRows(session, latents), count, session) };
  };

  const decode: Handler<'decode'> = async (params) => {
    const session = sessions.get(params.sessionId);
    const values = await decodeRows(session, params.latents);
    return images(values, params.latents.length / session.latentDim, session);
  };

  /** The session's discrete units, or why it has none as the request's error. */
  const unitsOf = (session: OpenSession): FeatureUnits => {
    const units = session.model?.features;
    if (units) return units;
    // Without a model, why there is none says more than that there are no units.
    throw new EngineError('bad-request', session.noDecoderReason ?? `a ${session.kind} model has no dictionary or codebook to list; features need a model whose capabilities include them`);
  };

  const features: Handler<'features'> = async (params) => {
    const session = sessions.get(params.sessionId);
    const units = unitsOf(session);
    return { images: images(await units.images(), units.count, session, units.stretch), frequency: await units.usage(session.latents, session.count), kind: units.kind };
  };

  const unitsUsed: Handler<'unitsUsed'> = async (params) => {
    const session = sessions.get(params.sessionId);
    const units = unitsOf(session);
    checkIndices(session, params.indices);
    const { latentDim } = session;
    const rows = new Float32Array(params.indices.length * latentDim);
    params.indices.forEach((index, row) => rows.set(session.latents.subarray(index * latentDim, (index + 1) * latentDim), row * latentDim));
    const used = await units.usedBy(rows, params.indices.length);
    const offsets = new Int32Array(used.length + 1);
    used.forEach((list, row) => (offsets[row + 1] = offsets[row]! + list.length));
    const flat = new Int32Array(offsets[used.length]!);
    used.forEach((list, row) => flat.set(list, offsets[row]!));
    return { units: flat, offsets };
  };

  const topActivating: Handler<'topActivating'> = async (params) => {
    const session = sessions.get(params.sessionId);
    const units = unitsOf(session);
    if (params.feature >= units.count) throw new EngineError('bad-request', `feature ${params.feature} is outside 0..${units.count - 1}`);
    const activation = await units.activations(session.latents, session.count, params.feature);
    const order = Int32Array.from({ length: session.count }, (_, i) => i).sort((a, b) => activation[b]! - activation[a]!);
    const indices = order.subarray(0, Math.min(params.count, session.count));
    return { indices: Int32Array.from(indices), activations: Float32Array.from(indices, (i) => activation[i]!) };
  };

  const priorSamples: Handler<'priorSamples'> = async (params) => {
    const session = sessions.get(params.sessionId);
    const model = modelOf(session);
    if (!model.samplePrior) throw new EngineError('bad-request', `a ${session.kind} model has no prior to sample from; prior samples need a VAE or a VQ-VAE`);
    const drawn = tf.tidy(() => model.samplePrior!(params.count, params.seed, params.temperature ?? 1));
    const latents = (await drawn.data()) as Float32Array;
    drawn.dispose();
    return { images: images(await decodeRows(session, latents), params.count, session), latents };
  };

  const timeline: Handler<'timeline'> = async (params, context) => {
    const session = sessions.get(params.sessionId);
    if (!session.checkpoint || !session.timeline) return noTimeline(`a ${session.kind} session has no training run, so no latent timeline — open a Latent Lab checkpoint to see one`);
    return timelineAfter(tf, session.checkpoint, session.timeline, params.after ?? 0, context.signal);
  };

  const unsaved = (session: OpenSession) => `a ${session.kind} session has no checkpoint folder to keep directions in; they last while the page is open — open a Latent Lab checkpoint to save them`;

  /** The checkpoint folder directions are kept in; a session without one cannot save any. */
  const directionsFolder = (session: OpenSession): string => {
    if (!session.checkpoint) throw new EngineError('bad-request', unsaved(session));
    return session.checkpoint;
  };

  const directions: Handler<'directions'> = async (params) => {
    const session = sessions.get(params.sessionId);
    if (!session.checkpoint) return { directions: [], unsaved: unsaved(session) };
    return { directions: await readDirections(session.checkpoint, session.latentDim) };
  };

  const saveDirection: Handler<'saveDirection'> = async (params) => {
    const session = sessions.get(params.sessionId);
    const folder = directionsFolder(session);
    if (params.vector.length !== session.latentDim) throw new EngineError('bad-request', `saveDirection: the direction has ${params.vector.length} values but the latents have ${session.latentDim}`);
    if (!params.vector.every(Number.isFinite)) throw new EngineError('bad-request', 'saveDirection: the direction holds NaN or infinite values; pick two sets that both have samples');
    const saved = { name: params.name, vector: Array.from(params.vector), ...(params.note === undefined ? {} : { note: params.note }) };
    return { directions: await changeDirections(folder, session.latentDim, (all) => [...all.filter((direction) => direction.name !== params.name), saved]) };
  };

  const deleteDirection: Handler<'deleteDirection'> = async (params) => {
    const session = sessions.get(params.sessionId);
    const folder = directionsFolder(session);
    const left = await changeDirections(folder, session.latentDim, (all) => {
      const kept = all.filter((direction) => direction.name !== params.name);
      if (kept.length === all.length) throw new EngineError('bad-request', `deleteDirection: there is no direction named ${JSON.stringify(params.name)}`);
      return kept;
    });
    return { directions: left };
  };

  return { project, samples, decode, priorSamples, features, unitsUsed, topActivating, timeline, directions, saveDirection, deleteDirection };
}
