/** `dae`: denoising autoencoder — corrupts the input while training and reconstructs the clean one. */
import { type Infer, num, obj, oneOf } from '../../shared/schema';
import type { Tf } from '../backend';
import { commonFields, denseFields, stepSeed } from './commonConfig';
import { buildDenseAeParts, denseAeModel } from './denseAutoencoder';
import { type LossContext, type ModelKindSpec, reconstructs, type Tensor } from './modelKind';

const configSchema = obj({
  ...commonFields,
  ...denseFields,
  /** masking: zero a random `noiseLevel` fraction of the inputs; gaussian: add N(0, noiseLevel²). */
  noise: oneOf(['masking', 'gaussian'] as const),
  noiseLevel: num({ min: 0, max: 1 }),
});
export type DaeConfig = Infer<typeof configSchema>;

export function corrupt(tf: Tf, config: Pick<DaeConfig, 'noise' | 'noiseLevel' | 'seed'>, x: Tensor, context: LossContext): Tensor {
  if (config.noise === 'masking') {
    const uniform = context.perStep((step) => tf.randomUniform(x.shape, 0, 1, 'float32', stepSeed(config.seed, step, 1)));
    return tf.mul(x, tf.cast(tf.greaterEqual(uniform, config.noiseLevel), 'float32'));
  }
  return tf.add(x, context.perStep((step) => tf.randomNormal(x.shape, 0, config.noiseLevel, 'float32', stepSeed(config.seed, step, 1))));
}

export const dae: ModelKindSpec<DaeConfig> = {
  descriptor: {
    name: 'dae',
    title: 'Denoising AE',
    detail: 'Reconstructs clean inputs from masked ones',
    latentHint: 'try 2–32',
    defaults: { latentDim: 16, epochs: 10 },
    capabilities: reconstructs,
  },
  configSchema,
  defaults: (_inputShape, latentDim) => ({ latentDim, learningRate: 1e-3, seed: 0, hidden: [256], activation: 'relu', reconstruction: 'bce', noise: 'masking', noiseLevel: 0.3 }),
  build: (tf, config, inputShape) => dae.wrap(tf, config, inputShape, buildDenseAeParts(tf, config, inputShape)),
  wrap: (tf, config, _inputShape, parts) => denseAeModel(tf, config, parts, (x: Tensor, context: LossContext) => corrupt(tf, config, x, context)),
};
