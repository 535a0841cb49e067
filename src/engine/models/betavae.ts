/** `betavae`: β-VAE (Higgins et al. 2017) — β weights the KL; optional capacity annealing C → capacity. */
import { type Infer, num, obj } from '../../shared/schema';
import { type ModelKindSpec, reconstructs } from './modelKind';
import { vaeFields } from './vae';
import { buildVariationalParts, variationalDefaults, variationalModel } from './variational';

const configSchema = obj({
  ...vaeFields,
  beta: num({ min: 0, max: 1000 }),
  capacity: num({ min: 0, max: 1000 }),
  capacitySteps: num({ integer: true, min: 0 }),
});
export type BetaVaeConfig = Infer<typeof configSchema>;

const weighting = (config: BetaVaeConfig) => ({ beta: config.beta, capacity: config.capacity, capacitySteps: config.capacitySteps });

export const betavae: ModelKindSpec<BetaVaeConfig> = {
  descriptor: {
    name: 'betavae',
    title: 'β-VAE',
    detail: 'VAE with a β weight on KL: more disentangled factors',
    latentHint: 'try 2–32',
    defaults: { latentDim: 8, epochs: 10 },
    capabilities: { ...reconstructs, variational: true, prior: 'gaussian' },
  },
  configSchema,
  defaults: (inputShape, latentDim) => ({ ...variationalDefaults(inputShape, latentDim), beta: 4, capacity: 0, capacitySteps: 0 }),
  build: (tf, config, inputShape) => variationalModel(tf, config, buildVariationalParts(tf, config, inputShape), weighting),
  wrap: (tf, config, _inputShape, parts) => variationalModel(tf, config, parts, weighting),
};
