/** `conv`: convolutional autoencoder — stride-2 conv encoder, transposed-conv decoder. */
import { type Infer, obj, oneOf } from '../../shared/schema';
import type { Tf } from '../backend';
import { applyOne, commonFields, convFields, partsVariables } from './commonConfig';
import { activations, convDecoder, convEncoder, Initializers } from './layers';
import { mseMean, outputTransform, reconstructionKinds, reconstructionPerSample } from './losses';
import { disposeModelParts, type BuiltModel, type ModelKindSpec, type ModelParts, reconstructs } from './modelKind';

const configSchema = obj({ ...commonFields, ...convFields, activation: oneOf(activations), reconstruction: oneOf(reconstructionKinds) });
export type ConvConfig = Infer<typeof configSchema>;

function wrap(tf: Tf, config: ConvConfig, parts: ModelParts): BuiltModel<ConvConfig> {
  return {
    config,
    parts,
    latentDim: config.latentDim,
    lossTerms(x) {
      const out = applyOne(parts.decoder, applyOne(parts.encoder, x));
      const reconstruction = tf.mean(reconstructionPerSample(tf, config.reconstruction, x, out)) as ReturnType<typeof tf.scalar>;
      const mse = mseMean(tf, x, outputTransform(tf, config.reconstruction, out)) as ReturnType<typeof tf.scalar>;
      return { loss: reconstruction, reconstruction, mse };
    },
    encode: (x) => tf.tidy(() => applyOne(parts.encoder, x)),
    decode: (z) => tf.tidy(() => outputTransform(tf, config.reconstruction, applyOne(parts.decoder, z))),
    trainableVariables: () => partsVariables(parts),
    dispose: () => disposeModelParts(parts),
  };
}

export const conv: ModelKindSpec<ConvConfig> = {
  descriptor: {
    name: 'conv',
    title: 'Convolutional AE',
    detail: 'Strided conv encoder, transposed-conv decoder (images)',
    latentHint: 'try 2–32',
    defaults: { latentDim: 16, epochs: 5 },
    capabilities: reconstructs,
  },
  configSchema,
  defaults: (_inputShape, latentDim) => ({ latentDim, learningRate: 1e-3, seed: 0, filters: [32, 64], kernelSize: 3, activation: 'relu', reconstruction: 'bce' }),
  build(tf, config, inputShape) {
    const init = new Initializers(tf, config.seed);
    const layerOptions = { filters: config.filters, kernelSize: config.kernelSize, activation: config.activation, init };
    const encoder = convEncoder(tf, 'encoder', inputShape, layerOptions, [{ name: 'code', units: config.latentDim }]);
    const decoder = convDecoder(tf, 'decoder', config.latentDim, inputShape, layerOptions);
    return wrap(tf, config, { encoder, decoder, extraVariables: {} });
  },
  wrap: (tf, config, _inputShape, parts) => wrap(tf, config, parts),
};
