/**
 * What the host and the page may know of a model kind: the descriptor each kind file in
 * src/engine/models/ declares, and the capabilities a session reports. The kinds themselves are
 * listed only in the engine's registry; the host asks for them with the `modelKinds` request, so a
 * new kind needs no change here or outside the engine.
 */
import { bool, type Infer, num, obj, oneOf, optional, str } from './schema';

/** A kind's name as requests and checkpoints carry it; the engine refuses names it does not know. */
export const modelKindNameSchema = str({ minLength: 1, maxLength: 64 });

/** The units the Features view lists: a dictionary's atoms or a codebook's codes. */
export const featureKinds = ['dictionary', 'codebook'] as const;
export type FeatureKind = (typeof featureKinds)[number];

export const priorKinds = ['gaussian', 'codes'] as const;

/** What the explorer may offer for a session; views ask for these, never for a kind by name. */
export const capabilitiesSchema = obj({
  /** Latents decode to samples: reconstructions, interpolation, traversal, the manifold grid. */
  decodes: bool(),
  /** Latents are Gaussian posterior means: KL per dimension ranks them, the grid may follow Gaussian quantiles. */
  variational: bool(),
  /** Discrete units listed with their usage and the samples that use them most. */
  features: optional(oneOf(featureKinds)),
  /** The number of active units can be changed after training (the session's `k` is the trained one). */
  adjustableK: bool(),
  /** New samples can be drawn from the prior: z ~ N(0, I) scaled by a temperature, or uniformly random codes. */
  prior: optional(oneOf(priorKinds)),
});
export type Capabilities = Infer<typeof capabilitiesSchema>;

export const modelKindDescriptorSchema = obj({
  name: modelKindNameSchema,
  title: str({ minLength: 1, maxLength: 64 }),
  /** One line on what the kind is good for. */
  detail: str({ maxLength: 200 }),
  /** What the latent size means for this kind, shown when asking for it. */
  latentHint: str({ maxLength: 200 }),
  /** Where the New Experiment flow starts. */
  defaults: obj({ latentDim: num({ integer: true, min: 1, max: 4096 }), epochs: num({ integer: true, min: 1, max: 100_000 }) }),
  capabilities: capabilitiesSchema,
});
export type ModelKindDescriptor = Infer<typeof modelKindDescriptorSchema>;
