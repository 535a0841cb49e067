/** The dense autoencoder body shared by `ae` and `dae` (which only adds input corruption). */
import type { Tf } from '../backend';
import { applyOne, partsVariables } from './commonConfig';
import { type Activation, denseDecoder, denseStack, Initializers } from './layers';
import { mseMean, type Reconstruction, outputTransform, reconstructionPerSample } from './losses';
import { disposeModelParts, type BuiltModel, type LossContext, type ModelParts, type Tensor } from './modelKind';

export interface DenseAeConfig {
  latentDim: number;
  learningRate: number;
  seed: number;
  hidden: number[];
  activation: Activation;
  reconstruction: Reconstruction;
}

export function buildDenseAeParts(tf: Tf, config: DenseAeConfig, inputShape: readonly number[]): ModelParts {
  const init = new Initializers(tf, config.seed);
  // The code layer is linear so latents are unbounded coordinates; with linear hidden layers the
  // whole AE is linear, which is what makes it match PCA.
  const encoder = denseStack(tf, {
    name: 'encoder',
    inputShape,
    hidden: config.hidden,
    activation: config.activation,
    heads: [{ name: 'code', units: config.latentDim, activation: 'linear' }],
    init,
  });
  const decoder = denseDecoder(tf, config.latentDim, inputShape, config.hidden, config.activation, init);
  return { encoder, decoder, extraVariables: {} };
}

export function denseAeModel<C extends DenseAeConfig>(
  tf: Tf,
  config: C,
  parts: ModelParts,
  corrupt: (x: Tensor, context: LossContext) => Tensor = (x) => x,
): BuiltModel<C> {
  const decode = (z: Tensor) => tf.tidy(() => outputTransform(tf, config.reconstruction, applyOne(parts.decoder, z)));
  return {
    config,
    parts,
    latentDim: config.latentDim,
    lossTerms(x, context) {
      const input = context.training ? corrupt(x, context) : x;
      const out = applyOne(parts.decoder, applyOne(parts.encoder, input));
      const reconstruction = tf.mean(reconstructionPerSample(tf, config.reconstruction, x, out)) as ReturnType<typeof tf.scalar>;
      const mse = mseMean(tf, x, outputTransform(tf, config.reconstruction, out)) as ReturnType<typeof tf.scalar>;
      return { loss: reconstruction, reconstruction, mse };
    },
    encode: (x) => tf.tidy(() => applyOne(parts.encoder, x)),
    decode,
    trainableVariables: () => partsVariables(parts),
    dispose: () => disposeModelParts(parts),
  };
}
