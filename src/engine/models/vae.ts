/** `vae`: variational autoencoder (Kingma & Welling 2014) with a dense or conv encoder. */
import { type Infer, obj, oneOf } from '../../shared/schema';
import { commonFields, convFields, denseFields } from './commonConfig';
import { type ModelKindSpec, reconstructs } from './modelKind';
import { buildVariationalParts, variationalDefaults, variationalModel } from './variational';

export const vaeFields = { ...commonFields, ...denseFields, ...convFields, encoder: oneOf(['dense', 'conv'] as const) };
const configSchema = obj(vaeFields);
export type VaeConfig = Infer<typeof configSchema>;

const plainKl = () => ({ beta: 1, capacity: 0, capacitySteps: 0 });

export const vae: ModelKindSpec<VaeConfig> = {
  descriptor: {
    name: 'vae',
    title: 'VAE',
    detail: 'Variational autoencoder: smooth latent space, sliders and manifold grid',
    latentHint: 'try 2–32',
    defaults: { latentDim: 2, epochs: 10 },
    capabilities: { ...reconstructs, variational: true, prior: 'gaussian' },
  },
  configSchema,
  defaults: variationalDefaults,
  build: (tf, config, inputShape) => variationalModel(tf, config, buildVariationalParts(tf, config, inputShape), plainKl),
  wrap: (tf, config, _inputShape, parts) => variationalModel(tf, config, parts, plainKl),
};
