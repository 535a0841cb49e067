/** Engine handlers for the explorer views: projections, thumbnails, decoding, feature dictionaries. */
import type { Images, ParamsOf, ResultOf } from '../../shared/protocol';
import { EngineError } from '../../shared/protocol';
import type { Backend } from '../backend';
import { sampleSize } from '../data/dataset';
import type { RequestContext } from '../../shared/rpc';
import { encodeDataset } from '../models/encodeAll';
import type { BuiltModel } from '../models/modelKind';
import { projectLatents } from '../projection/projectLatents';
import { toPixels, toStretchedPixels } from './pixels';
import type { OpenSession, Sessions } from './sessions';

type Handler<M extends 'project' | 'samples' | 'decode' | 'features' | 'topActivating'> = (params: ParamsOf<M>, context: RequestContext) => Promise<ResultOf<M>>;

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
      signal: context.signal,
      onProgress: (fraction, stage) => context.emit('projectProgress', { fraction: Math.min(1, Math.max(0, fraction)), stage }),
    });
  };

  const samples: Handler<'samples'> = async (params) => {
    const session = sessions.get(params.sessionId);
    checkIndices(session, params.indices);
    if (session.inputShape.length === 0) throw new EngineError('bad-request', 'these latents were opened without images, so there are no samples to show; reopen them with images');
    const size = sampleSize(session.inputShape);
    const inputs = new Float32Array(params.indices.length * size);
    params.indices.forEach((index, row) => inputs.set(session.x.subarray(index * size, (index + 1) * size), row * size));
    const count = params.indices.length;
    const shown = images(inputs, count, session);
    if (session.foreign?.decode) return { inputs: shown, reconstructions: images(await decodeRows(session, await session.foreign.encode(inputs, count)), count, session) };
    if (!session.model) return { inputs: shown };
    const { latents } = await encodeDataset(tf, session.model, inputs, session.inputShape, params.k === undefined ? {} : { k: params.k });
    return { inputs: shown, reconstructions: images(await decodeRows(session, latents), count, session) };
  };

  const decode: Handler<'decode'> = async (params) => {
    const session = sessions.get(params.sessionId);
    const values = await decodeRows(session, params.latents);
    return images(values, params.latents.length / session.latentDim, session);
  };

  const features: Handler<'features'> = async (params) => {
    const session = sessions.get(params.sessionId);
    // Without a model, why there is none says more than which kinds have features.
    modelOf(session);
    if (session.kind === 'ksparse') return dictionary(session);
    if (session.kind === 'vqvae') return codebook(session);
    throw new EngineError('bad-request', `features are shown for k-sparse and VQ-VAE models; this is a ${session.kind} model`);
  };

  /** k-sparse atoms: decode(e_i) − decode(0) is exactly row i of the (linear) decoder. */
  const dictionary = async (session: OpenSession): Promise<ResultOf<'features'>> => {
    const units = session.latentDim;
    const identity = new Float32Array(units * units);
    for (let i = 0; i < units; i++) identity[i * units + i] = 1;
    const atoms = await decodeRows(session, identity);
    const bias = await decodeRows(session, new Float32Array(units));
    const size = bias.length;
    for (let i = 0; i < atoms.length; i++) atoms[i]! -= bias[i % size]!;
    const frequency = new Float32Array(units);
    for (let row = 0; row < session.count; row++) {
      for (let unit = 0; unit < units; unit++) if (session.latents[row * units + unit] !== 0) frequency[unit]! += 1 / session.count;
    }
    return { images: images(atoms, units, session, true), frequency, kind: 'dictionary' };
  };

  /** VQ codes: each entry decoded as if every position of a sample used it, with usage over the dataset. */
  const codebook = async (session: OpenSession): Promise<ResultOf<'features'>> => {
    const { entries, dim, positions } = codebookOf(session);
    const size = entries.length / dim;
    const latents = new Float32Array(size * positions * dim);
    for (let code = 0; code < size; code++) {
      for (let p = 0; p < positions; p++) latents.set(entries.subarray(code * dim, (code + 1) * dim), (code * positions + p) * dim);
    }
    const usage = codeUsage(session);
    const total = session.count * positions;
    return { images: images(await decodeRows(session, latents), size, session), frequency: Float32Array.from(usage, (count) => count / total), kind: 'codebook' };
  };

  const topActivating: Handler<'topActivating'> = async (params) => {
    const session = sessions.get(params.sessionId);
    modelOf(session);
    let activation: Float32Array;
    if (session.kind === 'ksparse') {
      const units = session.latentDim;
      if (params.feature >= units) throw new EngineError('bad-request', `feature ${params.feature} is outside 0..${units - 1}`);
      activation = Float32Array.from({ length: session.count }, (_, row) => session.latents[row * units + params.feature]!);
    } else if (session.kind === 'vqvae') {
      activation = codeAssignments(session).perSample(params.feature);
    } else {
      throw new EngineError('bad-request', `top activating samples are shown for k-sparse and VQ-VAE models; this is a ${session.kind} model`);
    }
    const order = Int32Array.from({ length: session.count }, (_, i) => i).sort((a, b) => activation[b]! - activation[a]!);
    const indices = order.subarray(0, Math.min(params.count, session.count));
    return { indices: Int32Array.from(indices), activations: Float32Array.from(indices, (i) => activation[i]!) };
  };

  function codebookOf(session: OpenSession) {
    const variable = modelOf(session).parts.extraVariables.codebook;
    if (!variable) throw new EngineError('failed', 'this VQ-VAE checkpoint has no codebook');
    const [, dim] = variable.shape as [number, number];
    return { entries: variable.dataSync() as Float32Array, dim, positions: session.latentDim / dim };
  }

  /** Which code each position of each sample uses: the quantised latents are codebook rows exactly. */
  function codeAssignments(session: OpenSession) {
    const { entries, dim, positions } = codebookOf(session);
    const size = entries.length / dim;
    const codes = new Int32Array(session.count * positions);
    for (let slot = 0; slot < codes.length; slot++) {
      let best = 0;
      let bestDistance = Infinity;
      for (let code = 0; code < size; code++) {
        let distance = 0;
        for (let j = 0; j < dim; j++) distance += (session.latents[slot * dim + j]! - entries[code * dim + j]!) ** 2;
        if (distance < bestDistance) [best, bestDistance] = [code, distance];
      }
      codes[slot] = best;
    }
    return {
      codes,
      size,
      perSample: (code: number) => Float32Array.from({ length: session.count }, (_, row) => codes.subarray(row * positions, (row + 1) * positions).filter((c) => c === code).length),
    };
  }

  function codeUsage(session: OpenSession): Float32Array {
    const { codes, size } = codeAssignments(session);
    const usage = new Float32Array(size);
    for (const code of codes) usage[code]! += 1;
    return usage;
  }

  return { project, samples, decode, features, topActivating };
}
