/**
 * `vqvae`: VQ-VAE (van den Oord et al. 2017). The encoder emits `positions` vectors of size
 * `latentDim`; each snaps to its nearest codebook entry and gradients pass the quantiser straight
 * through, with β‖z − sg(e)‖² holding the encoder to its codes. The codebook follows the
 * exponential-moving-average update of the paper's appendix (gradient-trained codebooks collapse
 * onto a few entries here), and entries nobody uses are restarted at live encoder outputs.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { type Infer, num, obj, oneOf } from '../../shared/schema';
import type { Tf } from '../backend';
import { applyOne, commonFields, drawSeed, convFields, denseFields, layerVariables, stepSeed, sumOverRows, takeData } from './commonConfig';
import { convDecoder, convEncoder, denseDecoder, denseStack, Initializers } from './layers';
import { mseMean, outputTransform, reconstructionPerSample, stopGradient, withoutGradient } from './losses';
import { disposeModelParts, type BuiltModel, type FeatureUnits, type LossContext, type ModelKindSpec, type ModelParts, reconstructs, type Scalar, type Tensor } from './modelKind';

const configSchema = obj({
  ...commonFields,
  ...denseFields,
  ...convFields,
  encoder: oneOf(['dense', 'conv'] as const),
  codebookSize: num({ integer: true, min: 2, max: 65536 }),
  /** Code vectors per sample; the latent shown in maps is their concatenation. */
  positions: num({ integer: true, min: 1, max: 1024 }),
  commitment: num({ min: 0, max: 100 }),
  /** EMA decay of the codebook statistics. */
  decay: num({ min: 0, max: 0.9999 }),
});
export type VqVaeConfig = Infer<typeof configSchema>;

/** Code vectors assigned per tensor op when reading codes off latents; bounds the distance matrix. */
const ASSIGN_BATCH = 16_384;

/** Nearest codebook index per row of z [n, d] against codebook [k, d]. */
export function nearestCodes(tf: Tf, z: Tensor, codebook: Tensor): Tensor {
  return tf.tidy(() => {
    const distances = tf.add(tf.sub(tf.sum(tf.square(z), 1, true), tf.mul(2, tf.matMul(z, codebook, false, true))), tf.sum(tf.square(codebook), 1).expandDims(0));
    return tf.argMin(distances, 1);
  });
}

export function perplexity(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  let entropy = 0;
  for (let i = 0; i < counts.length; i++) {
    const p = counts[i]! / total;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}

function wrap(tf: Tf, config: VqVaeConfig, parts: ModelParts): BuiltModel<VqVaeConfig> {
  const { codebook, emaCount, emaSum } = parts.extraVariables as Record<'codebook' | 'emaCount' | 'emaSum', tfTypes.Variable>;
  const { codebookSize: k, latentDim: d, positions, decay } = config;
  const rowsOf = (x: Tensor) => applyOne(parts.encoder, x).reshape([-1, d]);
  const quantise = (rows: Tensor) => {
    const codes = withoutGradient(tf, rows, (input) => nearestCodes(tf, input, codebook));
    // A one-hot product instead of gather: gather's gradient for int indices trips the tape.
    const oneHot = tf.oneHot(codes, k);
    return { codes, oneHot, quantised: tf.matMul(oneHot, codebook) };
  };
  /** The EMA codebook update of the paper's appendix, on one batch's encoder rows and their codes. */
  const updateCodebook = (rows: Tensor, oneHot: Tensor, context: LossContext) => {
    const counts = tf.sum(oneHot, 0);
    const newCount = tf.add(tf.mul(decay, emaCount), tf.mul(1 - decay, counts));
    const newSum = tf.add(tf.mul(decay, emaSum), tf.mul(1 - decay, tf.matMul(oneHot, rows, true, false)));
    // Laplace smoothing keeps rarely used entries from dividing by ~0.
    const total = tf.sum(newCount);
    const smoothed = tf.mul(tf.div(tf.add(newCount, 1e-5), tf.add(total, k * 1e-5)), total);
    const updated = tf.div(newSum, smoothed.expandDims(1));
    // Entries that fell out of use restart at random encoder outputs of this batch.
    const dead = tf.less(newCount, 1e-3);
    const deadRows = tf.tile(dead.expandDims(1), [1, d]);
    const picks = context.perStep((step) => tf.randomUniform([k], 0, rows.shape[0]!, 'int32', stepSeed(config.seed, step, 4)));
    // A one-hot product: tfjs-node's gather reads its indices back to check them, which a compiled step cannot do.
    const fresh = tf.matMul(tf.oneHot(picks, rows.shape[0]!), rows);
    codebook.assign(tf.where(deadRows, fresh, updated));
    emaSum.assign(tf.where(deadRows, fresh, newSum));
    emaCount.assign(tf.where(dead, tf.onesLike(newCount), newCount));
  };
  const decode = (z: Tensor) => tf.tidy(() => outputTransform(tf, config.reconstruction, applyOne(parts.decoder, z)));
  /** The code at each position of `rows` encoded samples: their latents are codebook rows, so the nearest is the one used. */
  const assignments = async (latents: Float32Array, rows: number): Promise<Int32Array> => {
    const codes = new Int32Array(rows * positions);
    for (let start = 0; start < codes.length; start += ASSIGN_BATCH) {
      const n = Math.min(ASSIGN_BATCH, codes.length - start);
      codes.set(await takeData<Int32Array>(tf.tidy(() => nearestCodes(tf, tf.tensor2d(latents.subarray(start * d, (start + n) * d), [n, d]), codebook))), start);
    }
    return codes;
  };
  const features: FeatureUnits = {
    kind: 'codebook',
    count: k,
    stretch: false,
    // Each code decoded as if every position of a sample used it.
    images: () => takeData(tf.tidy(() => decode(tf.tile(codebook, [1, positions])))),
    usage: async (latents, rows) => {
      const usage = new Float32Array(k);
      for (const code of await assignments(latents, rows)) usage[code]! += 1;
      return usage.map((count) => count / (rows * positions));
    },
    activations: async (latents, rows, unit) => {
      const codes = await assignments(latents, rows);
      return Float32Array.from({ length: rows }, (_, row) => codes.subarray(row * positions, (row + 1) * positions).filter((code) => code === unit).length);
    },
    usedBy: async (latents, rows) => {
      const codes = await assignments(latents, rows);
      return Array.from({ length: rows }, (_, row) => codes.slice(row * positions, (row + 1) * positions));
    },
  };
  return {
    config,
    parts,
    latentDim: positions * d,
    lossTerms(x, context) {
      const rows = rowsOf(x);
      const { quantised, oneHot } = quantise(rows);
      // Inside the step, from its own encoder outputs (as the paper's algorithm): a compiled step then holds the update too.
      if (context.training) updateCodebook(stopGradient(tf, rows), oneHot, context);
      const straightThrough = tf.add(rows, stopGradient(tf, tf.sub(quantised, rows))).reshape([x.shape[0]!, -1]);
      const out = applyOne(parts.decoder, straightThrough);
      const reconstruction = tf.mean(reconstructionPerSample(tf, config.reconstruction, x, out)) as Scalar;
      const commitment = tf.div(tf.sum(tf.squaredDifference(rows, stopGradient(tf, quantised))), x.shape[0]!) as Scalar;
      const loss = tf.add(reconstruction, tf.mul(config.commitment, commitment)) as Scalar;
      const mse = mseMean(tf, x, outputTransform(tf, config.reconstruction, out)) as Scalar;
      return { loss, reconstruction, commitment, mse };
    },
    encode: (x) => tf.tidy(() => quantise(rowsOf(x)).quantised.reshape([x.shape[0]!, -1])),
    decode,
    // Every position an independent, uniformly drawn code: what the decoder makes of codes as such (the paper fits a prior over them; there is none here).
    samplePrior: (count, seed) => tf.tidy(() => tf.gather(codebook, tf.randomUniform([count * positions], 0, k, 'int32', drawSeed(seed))).reshape([count, positions * d])),
    async metrics(x) {
      const usage = Array.from(await sumOverRows(tf, x, (rows) => tf.sum(quantise(rowsOf(rows)).oneHot, 0)));
      return { perplexity: perplexity(usage), codesUsed: usage.filter((count) => count > 0).length, codeUsage: usage };
    },
    prepareForTraining(x) {
      // Codes seeded from real encoder outputs start where the data is.
      tf.tidy(() => {
        const rows = rowsOf(x.slice(0, Math.min(x.shape[0]!, 2048)));
        const picks = tf.randomUniform([k], 0, rows.shape[0]!, 'int32', config.seed + 29);
        const start = tf.add(tf.gather(rows, picks), tf.randomNormal([k, d], 0, 0.01, 'float32', config.seed + 31));
        codebook.assign(start);
        emaSum.assign(start);
        emaCount.assign(tf.onesLike(emaCount));
      });
    },
    trainableVariables: () => [...layerVariables(parts.encoder), ...layerVariables(parts.decoder)],
    features,
    dispose: () => disposeModelParts(parts),
  };
}

export const vqvae: ModelKindSpec<VqVaeConfig> = {
  descriptor: {
    name: 'vqvae',
    title: 'VQ-VAE',
    detail: 'Discrete codebook latents with straight-through gradients',
    latentHint: 'try 2–32',
    defaults: { latentDim: 8, epochs: 10 },
    capabilities: { ...reconstructs, features: 'codebook', prior: 'codes' },
  },
  configSchema,
  defaults: (inputShape, latentDim) => ({
    latentDim,
    learningRate: 1e-3,
    seed: 0,
    encoder: inputShape.length === 3 ? 'conv' : 'dense',
    hidden: [256],
    filters: [32, 64],
    kernelSize: 3,
    activation: 'relu',
    reconstruction: 'bce',
    codebookSize: 64,
    positions: 4,
    commitment: 0.25,
    decay: 0.99,
  }),
  build(tf, config, inputShape) {
    const init = new Initializers(tf, config.seed);
    const codeUnits = config.positions * config.latentDim;
    let encoder: tfTypes.LayersModel;
    let decoder: tfTypes.LayersModel;
    if (config.encoder === 'conv') {
      const layerOptions = { filters: config.filters, kernelSize: config.kernelSize, activation: config.activation, init };
      encoder = convEncoder(tf, 'encoder', inputShape, layerOptions, [{ name: 'code', units: codeUnits }]);
      decoder = convDecoder(tf, 'decoder', codeUnits, inputShape, layerOptions);
    } else {
      encoder = denseStack(tf, { name: 'encoder', inputShape, hidden: config.hidden, activation: config.activation, heads: [{ name: 'code', units: codeUnits, activation: 'linear' }], init });
      decoder = denseDecoder(tf, codeUnits, inputShape, config.hidden, config.activation, init);
    }
    // tidy frees the initial values; variables outlive it.
    const extraVariables = tf.tidy(() => {
      const codebook = tf.variable(tf.randomNormal([config.codebookSize, config.latentDim], 0, 1, 'float32', config.seed + 17), false);
      return { codebook, emaCount: tf.variable(tf.ones([config.codebookSize]), false), emaSum: tf.variable(codebook.clone(), false) };
    });
    return wrap(tf, config, { encoder, decoder, extraVariables });
  },
  wrap: (tf, config, _inputShape, parts) => wrap(tf, config, parts),
};
