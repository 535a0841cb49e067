/**
 * The shape every model kind file exports. Encoder and decoder are plain tfjs LayersModels so any
 * checkpoint reloads with stock tfjs; what makes a kind special (reparameterisation, top-k,
 * quantisation) lives in `lossTerms`, `encode` and `decode`, driven by the saved config.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Capabilities, FeatureKind, ModelKindDescriptor } from '../../shared/modelKinds';
import type { Schema } from '../../shared/schema';
import type { Tf } from '../backend';

export type Tensor = tfTypes.Tensor;
export type Scalar = tfTypes.Scalar;

export interface ModelParts {
  encoder: tfTypes.LayersModel;
  decoder: tfTypes.LayersModel;
  /** Weights that live outside the two models (the VQ-VAE codebook). Saved with the checkpoint. */
  extraVariables: Record<string, tfTypes.Variable>;
}

export function disposeModelParts(parts: ModelParts): void {
  parts.encoder.dispose();
  parts.decoder.dispose();
  for (const variable of Object.values(parts.extraVariables)) variable.dispose();
}

/** Makes a tensor that differs from step to step (noise, schedules) from the step number. */
export type PerStep = <T extends Tensor>(make: (step: number) => T) => T;

export interface LossContext {
  training: boolean;
  /** Global step. */
  step: number;
  /**
   * Everything in a loss that depends on the step (reparameterisation noise, input corruption,
   * annealing schedules) is made through here, never from `step` inline: a compiled training step
   * (training/compiledStep.ts) replays the traced kernels without running the model's JavaScript,
   * and calls `make` anew for each step it replays.
   */
  perStep: PerStep;
}

/** The context of a step run op by op: per-step tensors are made on the spot. */
export function eagerContext(training: boolean, step: number): LossContext {
  return { training, step, perStep: (make) => make(step) };
}

export interface BuiltModel<C> {
  config: C;
  parts: ModelParts;
  /** Width of the latent used for maps and decoding (for VQ-VAE: the quantised embedding size × positions). */
  latentDim: number;
  /**
   * Named loss terms for a batch; `loss` is the total that training minimises. Must be called
   * inside tf.tidy / optimizer.minimize (it allocates). In training it may also assign state that
   * is not trained by gradients (the VQ-VAE's EMA codebook): the compiled step records that too.
   */
  lossTerms(x: Tensor, context: LossContext): Record<string, Scalar> & { loss: Scalar };
  /** Deterministic latent for a batch: VAE mean, top-k code, quantised embedding. Shape [n, latentDim]. */
  encode(x: Tensor, options?: { k?: number }): Tensor;
  /** Latent rows [n, latentDim] to reconstructions in the model's input range and shape. */
  decode(z: Tensor): Tensor;
  /** With the `prior` capability: `count` latent rows drawn from the prior (a Gaussian's spread scaled by `temperature`). */
  samplePrior?(count: number, seed: number, temperature: number): Tensor;
  /** Extra per-model metrics on a batch (per-dimension KL, codebook usage); plain numbers. */
  metrics?(x: Tensor): Promise<Record<string, number | number[]>>;
  /** What the optimiser updates (a tied decoder's kernel is not among them). */
  trainableVariables(): tfTypes.Variable[];
  /** Data-dependent initialisation before the first epoch of a fresh run (VQ codebook from encoder outputs). */
  prepareForTraining?(x: Tensor): void;
  /** Makes the saved parts standalone (copies a tied kernel into the decoder). */
  prepareForSave?(): void;
  /** The units the Features view lists; present exactly when the kind's capabilities name them. */
  features?: FeatureUnits;
  dispose(): void;
}

/**
 * A model's discrete units (a dictionary's atoms, a codebook's codes) for the explorer. `latents`
 * are `rows` latent rows this model encoded, [rows, latentDim].
 */
export interface FeatureUnits {
  readonly kind: FeatureKind;
  readonly count: number;
  /** Atoms are differences of outputs, of arbitrary sign and scale, so each is shown on its own range. */
  readonly stretch: boolean;
  /** Every unit as model outputs, [count, ...inputShape]. */
  images(): Promise<Float32Array>;
  /** How often each unit is used over the rows, as a share. */
  usage(latents: Float32Array, rows: number): Promise<Float32Array>;
  /** How strongly each row uses `unit`. */
  activations(latents: Float32Array, rows: number, unit: number): Promise<Float32Array>;
  /** The units each row uses: a dictionary's active atoms, strongest first; a codebook's code at each position. */
  usedBy(latents: Float32Array, rows: number): Promise<Int32Array[]>;
}

/** What every kind can do: its latents decode to samples. Kinds add what else they offer. */
export const reconstructs: Capabilities = { decodes: true, variational: false, adjustableK: false };

export interface ModelKindSpec<C> {
  /** How the kind is named, offered and explored outside the engine. */
  descriptor: ModelKindDescriptor;
  configSchema: Schema<C>;
  /** Sensible defaults for an input shape and latent size; the config schema validates overrides. */
  defaults(inputShape: readonly number[], latentDim: number): C;
  build(tf: Tf, config: C, inputShape: readonly number[]): BuiltModel<C>;
  /** Rebuild around reloaded parts (checkpoint load) instead of fresh layers. */
  wrap(tf: Tf, config: C, inputShape: readonly number[], parts: ModelParts): BuiltModel<C>;
}
