/**
 * The VAE body shared by `vae` and `betavae`: dense or conv encoder with mean and log-variance
 * heads, reparameterised sampling, reconstruction (BCE for [0,1] data, MSE otherwise) plus a
 * weighted KL term, optionally pulled towards a growing capacity C (Burgess et al. 2018).
 */
import type { Tf } from '../backend';
import { applyOne, drawSeed, partsVariables, stepSeed, sumOverRows } from './commonConfig';
import { type Activation, convDecoder, convEncoder, denseDecoder, denseStack, Initializers } from './layers';
import { gaussianKlPerDim, mseMean, outputTransform, type Reconstruction, reconstructionPerSample } from './losses';
import { disposeModelParts, type BuiltModel, type ModelParts, type Scalar, type Tensor } from './modelKind';

export interface VariationalConfig {
  latentDim: number;
  learningRate: number;
  seed: number;
  encoder: 'dense' | 'conv';
  hidden: number[];
  filters: number[];
  kernelSize: number;
  activation: Activation;
  reconstruction: Reconstruction;
}

export interface KlWeighting {
  beta: number;
  /** Target KL in nats at step `capacitySteps` (0 disables annealing). */
  capacity: number;
  capacitySteps: number;
}

export function buildVariationalParts(tf: Tf, config: VariationalConfig, inputShape: readonly number[]): ModelParts {
  const init = new Initializers(tf, config.seed);
  const heads = [{ name: 'mean', units: config.latentDim }, { name: 'logvar', units: config.latentDim }];
  if (config.encoder === 'conv') {
    const layerOptions = { filters: config.filters, kernelSize: config.kernelSize, activation: config.activation, init };
    return {
      encoder: convEncoder(tf, 'encoder', inputShape, layerOptions, heads),
      decoder: convDecoder(tf, 'decoder', config.latentDim, inputShape, layerOptions),
      extraVariables: {},
    };
  }
  return {
    encoder: denseStack(tf, { name: 'encoder', inputShape, hidden: config.hidden, activation: config.activation, heads: heads.map((head) => ({ ...head, activation: 'linear' as const })), init }),
    decoder: denseDecoder(tf, config.latentDim, inputShape, config.hidden, config.activation, init),
    extraVariables: {},
  };
}

export function variationalModel<C extends VariationalConfig>(tf: Tf, config: C, parts: ModelParts, weighting: (config: C) => KlWeighting): BuiltModel<C> {
  const encodeMoments = (x: Tensor): [Tensor, Tensor] => parts.encoder.apply(x) as [Tensor, Tensor];
  const { beta, capacity, capacitySteps } = weighting(config);
  return {
    config,
    parts,
    latentDim: config.latentDim,
    lossTerms(x, context) {
      const [mean, logVar] = encodeMoments(x);
      const stream = context.training ? 2 : 3;
      const epsilon = context.perStep((step) => tf.randomNormal(mean.shape, 0, 1, 'float32', stepSeed(config.seed, step, stream)));
      const z = tf.add(mean, tf.mul(tf.exp(tf.mul(0.5, logVar)), epsilon));
      const out = applyOne(parts.decoder, z);
      const reconstructionPer = reconstructionPerSample(tf, config.reconstruction, x, out);
      const klPer = tf.sum(gaussianKlPerDim(tf, mean, logVar), 1);
      const reconstruction = tf.mean(reconstructionPer) as Scalar;
      const kl = tf.mean(klPer) as Scalar;
      const target = (step: number) => tf.scalar(capacitySteps > 0 ? capacity * Math.min(1, step / capacitySteps) : 0);
      const klTerm = capacity > 0 ? tf.abs(tf.sub(kl, context.perStep(target))) : kl;
      const loss = tf.add(reconstruction, tf.mul(beta, klTerm)) as Scalar;
      // ELBO in nats per sample (a lower bound on log p(x) for the Bernoulli likelihood of bce).
      const elbo = tf.neg(tf.add(reconstruction, kl)) as Scalar;
      const mse = mseMean(tf, x, outputTransform(tf, config.reconstruction, out)) as Scalar;
      return { loss, reconstruction, kl, elbo, mse };
    },
    encode: (x) => tf.tidy(() => encodeMoments(x)[0]),
    decode: (z) => tf.tidy(() => outputTransform(tf, config.reconstruction, applyOne(parts.decoder, z))),
    samplePrior: (count, seed, temperature) => tf.randomNormal([count, config.latentDim], 0, temperature, 'float32', drawSeed(seed)),
    async metrics(x) {
      const klSums = await sumOverRows(tf, x, (rows) => tf.sum(gaussianKlPerDim(tf, ...encodeMoments(rows)), 0));
      const values = Array.from(klSums, (sum) => sum / x.shape[0]!);
      return { klPerDim: values, activeUnits: values.filter((value) => value > 0.01).length };
    },
    trainableVariables: () => partsVariables(parts),
    dispose: () => disposeModelParts(parts),
  };
}

export const variationalDefaults = (inputShape: readonly number[], latentDim: number): VariationalConfig => ({
  latentDim,
  learningRate: 1e-3,
  seed: 0,
  encoder: inputShape.length === 3 ? 'conv' : 'dense',
  hidden: [512, 256],
  filters: [32, 64],
  kernelSize: 3,
  activation: 'relu',
  reconstruction: 'bce',
});
