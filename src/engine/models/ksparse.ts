/**
 * `ksparse`: k-sparse autoencoder (Makhzani & Frey 2013). A linear encoder whose code keeps only
 * the k largest activations per sample — exactly k non-zeros, chosen by top-k indices so ties
 * cannot let more through. k can be changed at inference time.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { bool, type Infer, num, obj, oneOf } from '../../shared/schema';
import type { Tf } from '../backend';
import { applyOne, commonFields, layerVariables, partsVariables, takeData } from './commonConfig';
import { denseDecoder, denseStack, Initializers } from './layers';
import { mseMean, outputTransform, reconstructionKinds, reconstructionPerSample, withoutGradient } from './losses';
import { disposeModelParts, type BuiltModel, type FeatureUnits, type ModelKindSpec, type ModelParts, reconstructs, type Tensor } from './modelKind';

const configSchema = obj({
  ...commonFields,
  k: num({ integer: true, min: 1, max: 4096 }),
  /** Tied: the decoder is the transposed encoder dictionary (one set of features to look at). */
  tied: bool(),
  reconstruction: oneOf(reconstructionKinds),
});
export type KSparseConfig = Infer<typeof configSchema>;

export function keepTopK(tf: Tf, h: Tensor, k: number): Tensor {
  return tf.tidy(() => {
    const units = h.shape[1]!;
    // The selection is constant for the gradient: only the kept units learn, as in the paper.
    const mask = withoutGradient(tf, h, (code) => tf.sum(tf.oneHot(tf.topk(code, Math.min(k, units)).indices, units), 1));
    return tf.mul(h, mask);
  });
}

/** The dictionary: atom i is decode(e_i) − decode(0), exactly row i of the linear decoder for MSE models. */
function dictionary(tf: Tf, units: number, decode: (z: Tensor) => Tensor): FeatureUnits {
  return {
    kind: 'dictionary',
    count: units,
    stretch: true,
    images: () => takeData(tf.tidy(() => tf.sub(decode(tf.eye(units)), decode(tf.zeros([1, units]))))),
    usage: async (latents, rows) => {
      const frequency = new Float32Array(units);
      for (let row = 0; row < rows; row++) {
        for (let unit = 0; unit < units; unit++) if (latents[row * units + unit] !== 0) frequency[unit]! += 1 / rows;
      }
      return frequency;
    },
    activations: async (latents, rows, unit) => Float32Array.from({ length: rows }, (_, row) => latents[row * units + unit]!),
    usedBy: async (latents, rows) =>
      Array.from({ length: rows }, (_, row) => {
        const code = latents.subarray(row * units, (row + 1) * units);
        return Int32Array.from(code.keys()).filter((unit) => code[unit] !== 0).sort((a, b) => Math.abs(code[b]!) - Math.abs(code[a]!));
      }),
  };
}

function denseLayer(model: tfTypes.LayersModel): tfTypes.layers.Layer {
  return model.layers.find((layer) => layer.getClassName() === 'Dense')!;
}

function wrap(tf: Tf, config: KSparseConfig, parts: ModelParts): BuiltModel<KSparseConfig> {
  const encoderDense = denseLayer(parts.encoder);
  const decoderDense = denseLayer(parts.decoder);
  const inputShape = parts.encoder.inputs[0]!.shape.slice(1) as number[];
  const rawDecode = (z: Tensor): Tensor => {
    if (!config.tied) return applyOne(parts.decoder, z);
    const [encoderKernel] = encoderDense.getWeights(false) as [Tensor];
    const decoderBias = decoderDense.getWeights(false)[1]!;
    return tf.add(tf.matMul(z, encoderKernel, false, true), decoderBias).reshape([z.shape[0]!, ...inputShape]);
  };
  const codeOf = (x: Tensor, k: number) => keepTopK(tf, applyOne(parts.encoder, x), k);
  const decode = (z: Tensor) => tf.tidy(() => outputTransform(tf, config.reconstruction, rawDecode(z)));
  return {
    config,
    parts,
    latentDim: config.latentDim,
    lossTerms(x) {
      const out = rawDecode(codeOf(x, config.k));
      const reconstruction = tf.mean(reconstructionPerSample(tf, config.reconstruction, x, out)) as ReturnType<typeof tf.scalar>;
      const mse = mseMean(tf, x, outputTransform(tf, config.reconstruction, out)) as ReturnType<typeof tf.scalar>;
      return { loss: reconstruction, reconstruction, mse };
    },
    encode: (x, options) => tf.tidy(() => codeOf(x, options?.k ?? config.k)),
    decode,
    trainableVariables: () => {
      if (!config.tied) return partsVariables(parts);
      const decoderKernel = decoderDense.getWeights(false)[0];
      return [...layerVariables(parts.encoder), ...layerVariables(parts.decoder).filter((variable) => variable !== decoderKernel)];
    },
    prepareForSave() {
      if (!config.tied) return;
      const [encoderKernel] = encoderDense.getWeights() as [Tensor];
      const decoderBias = decoderDense.getWeights()[1]!;
      const transposed = tf.transpose(encoderKernel);
      decoderDense.setWeights([transposed, decoderBias]);
      transposed.dispose();
    },
    features: dictionary(tf, config.latentDim, decode),
    dispose: () => disposeModelParts(parts),
  };
}

export const ksparse: ModelKindSpec<KSparseConfig> = {
  descriptor: {
    name: 'ksparse',
    title: 'k-sparse AE',
    detail: 'Exactly k active units per sample: a learned dictionary',
    latentHint: 'hidden units for k-sparse',
    defaults: { latentDim: 100, epochs: 10 },
    capabilities: { ...reconstructs, features: 'dictionary', adjustableK: true },
  },
  configSchema,
  defaults: (_inputShape, latentDim) => ({ latentDim, learningRate: 1e-3, seed: 0, k: Math.max(1, Math.round(latentDim / 8)), tied: true, reconstruction: 'mse' }),
  build(tf, config, inputShape) {
    if (config.k > config.latentDim) throw new RangeError(`k (${config.k}) cannot exceed the number of hidden units (${config.latentDim})`);
    const init = new Initializers(tf, config.seed);
    const encoder = denseStack(tf, { name: 'encoder', inputShape, hidden: [], activation: 'linear', heads: [{ name: 'code', units: config.latentDim, activation: 'linear' }], init });
    const decoder = denseDecoder(tf, config.latentDim, inputShape, [], 'linear', init);
    return wrap(tf, config, { encoder, decoder, extraVariables: {} });
  },
  wrap: (tf, config, _inputShape, parts) => wrap(tf, config, parts),
};
