/** `ae`: dense autoencoder. With `activation: linear` and `reconstruction: mse` it spans the PCA subspace. */
import { type Infer, obj } from '../../shared/schema';
import { commonFields, denseFields } from './commonConfig';
import { buildDenseAeParts, denseAeModel } from './denseAutoencoder';
import { type ModelKindSpec, reconstructs } from './modelKind';

const configSchema = obj({ ...commonFields, ...denseFields });
export type AeConfig = Infer<typeof configSchema>;

export const ae: ModelKindSpec<AeConfig> = {
  descriptor: {
    name: 'ae',
    title: 'Autoencoder',
    detail: 'Dense autoencoder (linear activation behaves like PCA)',
    latentHint: 'try 2–32',
    defaults: { latentDim: 2, epochs: 10 },
    capabilities: reconstructs,
  },
  configSchema,
  defaults: (_inputShape, latentDim) => ({ latentDim, learningRate: 1e-3, seed: 0, hidden: [256], activation: 'relu', reconstruction: 'bce' }),
  build: (tf, config, inputShape) => denseAeModel(tf, config, buildDenseAeParts(tf, config, inputShape)),
  wrap: (tf, config, _inputShape, parts) => denseAeModel(tf, config, parts),
};
