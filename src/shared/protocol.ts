/**
 * The engine protocol: every request the host (or CLI, or tests) can make of the engine and every
 * event the engine emits. rpc.ts carries them and validates with these schemas at both ends.
 */
import { arr, bool, type Infer, nullable, num, obj, oneOf, optional, record, type Schema, str, typedArray, unknownValue } from './schema';
import { foreignModelSpecSchema, layerInfoSchema, signatureInfoSchema } from './foreignModel';
import { capabilitiesSchema, featureKinds, modelKindDescriptorSchema, modelKindNameSchema } from './modelKinds';

export const backendNames = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];

export const engineInfoSchema = obj({
  backend: oneOf(backendNames),
  native: bool(),
  /** Why the native backend is not in use; absent when it is. */
  fallbackReason: optional(str()),
  tfjsVersion: str({ maxLength: 64 }),
  node: str({ maxLength: 64 }),
  engineVersion: str({ maxLength: 64 }),
  pid: num({ integer: true, min: 0 }),
  numTensors: num({ integer: true, min: 0 }),
});
export type EngineInfo = Infer<typeof engineInfoSchema>;

const terms = record(num(), { maxKeys: 64 });
/** Named loss terms (and metrics) of a step or an epoch: `loss`, `recon`, `kl`, `val_loss`, … */
export type Terms = Infer<typeof terms>;

/** Folder name for a new run: kind and a UTC timestamp, e.g. `vae-20261125-034512`. */
export function runFolderName(kind: string, now = new Date()): string {
  return `${kind}-${now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
}

export const trainParamsSchema = obj({
  model: modelKindNameSchema,
  /** `sample`, or a path to a dataset file or folder. */
  data: str({ minLength: 1, maxLength: 4096 }),
  epochs: num({ integer: true, min: 1, max: 100_000 }),
  batchSize: optional(num({ integer: true, min: 1, max: 65_536 })),
  limit: optional(num({ integer: true, min: 1 })),
  latentDim: optional(num({ integer: true, min: 1, max: 4096 })),
  validationFraction: optional(num({ min: 0, max: 0.5 })),
  seed: optional(num({ integer: true, min: 0, max: 2 ** 31 - 1 })),
  learningRate: optional(num({ min: 1e-7, max: 1 })),
  /** Early stopping: epochs without validation improvement before stopping. */
  patience: optional(num({ integer: true, min: 1, max: 10_000 })),
  /** Checkpoint folder; by default a new folder under ./latent-lab-runs. */
  out: optional(str({ minLength: 1, maxLength: 4096 })),
  /** Continue the checkpoint at `out` instead of starting fresh. */
  resume: optional(bool()),
  /** Run every step op by op instead of compiling steps to a TensorFlow graph (for comparing or debugging). */
  eager: optional(bool()),
  /** Kind-specific settings (hidden sizes, k, beta, …), validated by the kind's schema. */
  config: optional(record(unknownValue(), { maxKeys: 64 })),
  /** Validation samples whose latents are recorded after every epoch (the latent timeline); 0 records none. Default 10,000. */
  timelineProbes: optional(num({ integer: true, min: 0, max: 100_000 })),
});
export type TrainParams = Infer<typeof trainParamsSchema>;

export const trainStatuses = ['completed', 'early-stopped', 'cancelled', 'diverged'] as const;
export type TrainStatus = (typeof trainStatuses)[number];

export const trainResultSchema = obj({
  model: modelKindNameSchema,
  status: oneOf(trainStatuses),
  message: str({ maxLength: 10_000 }),
  /** Validation loss (training loss without a validation split) of the last good epoch. */
  finalLoss: nullable(num()),
  samplesPerSecond: num({ min: 0 }),
  checkpoint: nullable(str({ maxLength: 4096 })),
  backend: oneOf(backendNames),
  /** How steps ran: compiled to a TensorFlow graph, or eagerly and why. */
  execution: optional(str({ maxLength: 1000 })),
  epoch: num({ integer: true, min: 0 }),
  history: arr(terms, { maxLength: 100_000 }),
  metrics: terms,
  /** Per-unit diagnostics: klPerDim (VAE), codeUsage (VQ-VAE). */
  diagnostics: record(arr(num(), { maxLength: 1_000_000 }), { maxKeys: 16 }),
});
export type TrainResult = Infer<typeof trainResultSchema>;

export const progressSchema = obj({
  phase: oneOf(['batch', 'epoch'] as const),
  epoch: num({ integer: true, min: 0 }),
  epochs: num({ integer: true, min: 1 }),
  batch: num({ integer: true, min: 0 }),
  batches: num({ integer: true, min: 0 }),
  terms,
  validation: optional(terms),
  samplesPerSecond: num({ min: 0 }),
  etaSeconds: num({ min: 0 }),
});
export type Progress = Infer<typeof progressSchema>;

const sessionId = str({ minLength: 1, maxLength: 64 });
const shape = arr(num({ integer: true, min: 1, max: 1 << 24 }), { maxLength: 8 });
export const projectionMethods = ['raw', 'pca', 'umap', 'tsne'] as const;
export type ProjectionMethod = (typeof projectionMethods)[number];
/**
 * The most points t-SNE runs on: above it the engine refuses, and the page offers UMAP or t-SNE on
 * a random subsample of this many (bench/README.md has the times it is drawn from).
 */
export const tsneMaxPoints = 100_000;

const filePath = str({ minLength: 1, maxLength: 4096 });

/** A checkpoint (with optional data), or bare latents (with optional labels and images): exactly one of the two. */
export const openSessionParamsSchema = obj({
  /** Checkpoint folder (or its latent-lab.json). */
  checkpoint: optional(filePath),
  /** Bare latents, explored without any model: a .npy of [n, d] float32 or float64 rows, or a Parquet or Arrow IPC file (latents plus metadata columns). */
  latents: optional(filePath),
  /** With latents: a CSV of one label per row (header optional); integers are class indices, anything else names. */
  labels: optional(filePath),
  /** With latents: the samples they encode (any dataset the readers read), shown on hover. */
  images: optional(filePath),
  /** A model made elsewhere (tfjs layers, ONNX, SavedModel), explored on `data`. */
  model: optional(foreignModelSpecSchema),
  /** Dataset to explore; defaults to the one the checkpoint was trained on. */
  data: optional(str({ minLength: 1, maxLength: 4096 })),
  limit: optional(num({ integer: true, min: 1 })),
});
export type OpenSessionParams = Infer<typeof openSessionParamsSchema>;

/**
 * One column of per-sample metadata beside bare latents (a Parquet or Arrow file's other columns), one
 * entry per sample. Exactly one of the two forms is set: `values` for a numeric column (NaN where the
 * file has null), or `codes` with `categories` for a text, boolean or dictionary column (`codes[i]`
 * indexes `categories`; -1 where the file has null).
 */
const metadataColumnSchema = obj({
  name: str({ maxLength: 256 }),
  values: optional(typedArray('Float32Array')),
  codes: optional(typedArray('Int32Array')),
  categories: optional(arr(str({ maxLength: 1024 }), { maxLength: 1_000_000 })),
});
export type MetadataColumn = Infer<typeof metadataColumnSchema>;

export const sessionSchema = obj({
  sessionId,
  /** What the session explores: a Latent Lab checkpoint's model kind, `foreign` (a model made elsewhere) or `latents` (bare latents). */
  kind: str({ minLength: 1, maxLength: 64 }),
  capabilities: capabilitiesSchema,
  /** Set when the session cannot decode (latents only, an encode-only model): why, for the views that need it. */
  noDecoderReason: optional(str({ maxLength: 1024 })),
  checkpoint: str({ maxLength: 4096 }),
  dataSource: str({ maxLength: 4096 }),
  latentDim: num({ integer: true, min: 1 }),
  /** Per-sample input shape; [] when the session has no inputs (latents without images). */
  inputShape: shape,
  count: num({ integer: true, min: 0 }),
  /** Samples in the dataset; more than `count` when the session was opened with a limit. */
  totalCount: num({ integer: true, min: 0 }),
  labelNames: optional(arr(str({ maxLength: 256 }), { maxLength: 100_000 })),
  /** One label per sample, when the dataset has labels. */
  labels: optional(typedArray('Int32Array')),
  /** [count, latentDim] row-major. */
  latents: typedArray('Float32Array'),
  /** Mean squared reconstruction error per sample; absent when the session cannot decode. */
  reconstructionError: optional(typedArray('Float32Array')),
  /** Per-dimension mean and standard deviation of the latents (traversal slider ranges). */
  latentMean: arr(num(), { maxLength: 65_536 }),
  latentStd: arr(num(), { maxLength: 65_536 }),
  /** VAE kinds: KL per latent dimension, in nats. */
  klPerDim: optional(arr(num(), { maxLength: 65_536 })),
  /** With the `adjustableK` capability: the k the model was trained with. */
  k: optional(num({ integer: true, min: 1 })),
  /** VQ-VAE: number of codebook entries. */
  codebookSize: optional(num({ integer: true, min: 1 })),
  history: arr(terms, { maxLength: 100_000 }),
  /** Latents from a Parquet or Arrow file: its columns other than the latents, in file order. */
  metadata: optional(arr(metadataColumnSchema, { maxLength: 256 })),
});
export type Session = Infer<typeof sessionSchema>;

const directionName = str({ minLength: 1, maxLength: 128 });
/** A named direction in latent space, as saved with a checkpoint; `note` says how it was made ("label 1 − label 7"). */
export const savedDirectionSchema = obj({ name: directionName, vector: arr(num(), { maxLength: 65_536 }), note: optional(str({ maxLength: 1000 })) });
export type SavedDirection = Infer<typeof savedDirectionSchema>;

/** Images travel as bytes 0–255, `count` of them, each of `shape` ([h, w, c] or [features]). */
const imagesSchema = obj({ pixels: typedArray('Uint8Array'), shape, count: num({ integer: true, min: 0 }) });
export type Images = Infer<typeof imagesSchema>;

interface MethodSpec {
  params: Schema<unknown>;
  result: Schema<unknown>;
}

export const engineMethods = {
  info: { params: obj({}), result: engineInfoSchema },
  /** The model kinds this engine trains, in the order to offer them. */
  modelKinds: { params: obj({}), result: obj({ kinds: arr(modelKindDescriptorSchema, { maxLength: 256 }) }) },
  /** Trains a model, emitting `progress` events; cancelling keeps the last epoch's checkpoint. */
  train: { params: trainParamsSchema, result: trainResultSchema },
  /** Loads a checkpoint and encodes a dataset with it; the engine keeps both until closeSession. */
  openSession: { params: openSessionParamsSchema, result: sessionSchema },
  closeSession: { params: obj({ sessionId }), result: obj({ closed: bool() }) },
  /** 2-D coordinates of the session's latents; emits `projectProgress`, cancellable. */
  project: {
    /** `subsample`: project only a seeded random sample of this many points (the page asks first, never silently). */
    params: obj({ sessionId, method: oneOf(projectionMethods), dims: optional(arr(num({ integer: true, min: 0 }), { maxLength: 2 })), seed: optional(num({ integer: true, min: 0 })), subsample: optional(num({ integer: true, min: 2 })) }),
    /** With a subsample, coordinates row r is the point subsample[r], and the note says so. */
    result: obj({ coordinates: typedArray('Float32Array'), method: oneOf(projectionMethods), note: optional(str({ maxLength: 1000 })), subsample: optional(typedArray('Int32Array')) }),
  },
  /** Inputs and reconstructions of the given samples (with the `adjustableK` capability: at `k` when given); no reconstructions without a decoder. */
  samples: {
    params: obj({ sessionId, indices: typedArray('Int32Array', { maxLength: 100_000 }), k: optional(num({ integer: true, min: 1 })) }),
    result: obj({ inputs: imagesSchema, reconstructions: optional(imagesSchema) }),
  },
  /** Decodes latent rows [count, latentDim]. */
  decode: {
    params: obj({ sessionId, latents: typedArray('Float32Array', { maxLength: 16_777_216 }) }),
    result: imagesSchema,
  },
  /** With the `prior` capability: `count` new samples decoded from latents drawn from the prior (seeded; `temperature` scales a Gaussian prior's spread). */
  priorSamples: {
    params: obj({ sessionId, count: num({ integer: true, min: 1, max: 1024 }), seed: num({ integer: true, min: 0, max: 2 ** 31 - 1 }), temperature: optional(num({ min: 0, max: 10 })) }),
    result: obj({ images: imagesSchema, latents: typedArray('Float32Array') }),
  },
  /** With the `features` capability: each unit as an image (a dictionary's atoms, a codebook's entries decoded) and its usage. */
  features: {
    params: obj({ sessionId }),
    result: obj({ images: imagesSchema, frequency: typedArray('Float32Array'), kind: oneOf(featureKinds) }),
  },
  /** With the `features` capability: the units each sample uses (a dictionary's active atoms, strongest first; a codebook's code per position), row i's in units[offsets[i]..offsets[i+1]). */
  unitsUsed: {
    params: obj({ sessionId, indices: typedArray('Int32Array', { maxLength: 10_000 }) }),
    result: obj({ units: typedArray('Int32Array'), offsets: typedArray('Int32Array') }),
  },
  /** With the `features` capability: the samples that use a unit most. */
  topActivating: {
    params: obj({ sessionId, feature: num({ integer: true, min: 0 }), count: num({ integer: true, min: 1, max: 1000 }) }),
    result: obj({ indices: typedArray('Int32Array'), activations: typedArray('Float32Array') }),
  },
  /** The layers of a tfjs layers model.json with their output shapes, to pick a whole autoencoder's bottleneck. */
  modelLayers: {
    params: obj({ model: filePath }),
    result: obj({ layers: arr(layerInfoSchema, { maxLength: 100_000 }) }),
  },
  /** The MetaGraphs (tag sets) of a TF SavedModel folder and their signatures, to pick the encoder's. */
  modelSignatures: {
    params: obj({ model: filePath }),
    result: obj({ graphs: arr(obj({ tags: arr(str({ maxLength: 1024 }), { maxLength: 16 }), signatures: arr(signatureInfoSchema, { maxLength: 10_000 }) }), { maxLength: 1000 }) }),
  },
  /**
   * Which model a picked file or folder holds, from its file names: a checkpoint folder, a SavedModel
   * folder, a tfjs model.json, or .onnx files (sorted); none for anything else.
   */
  locateModel: {
    params: obj({ path: filePath }),
    result: obj({ location: optional(obj({ format: oneOf(['checkpoint', 'savedmodel', 'tfjs-layers', 'onnx'] as const), paths: arr(filePath, { maxLength: 1000 }) })) }),
  },
  /**
   * A checkpoint session's latent timeline: the epochs recorded after `after` (all by default), each
   * laid out in 2-D aligned with the epoch before ([epochs, probes, 2]), the probes' sample indices
   * in the session (-1 where the session explores other data), and unit health per epoch
   * ([epochs, units]). `reason` says why there is none; `note` what the map cannot show.
   */
  timeline: {
    params: obj({ sessionId, after: optional(num({ integer: true, min: 0 })) }),
    result: obj({
      epochs: typedArray('Int32Array'),
      probes: typedArray('Int32Array'),
      coordinates: typedArray('Float32Array'),
      klPerDim: optional(typedArray('Float32Array')),
      codeUsage: optional(typedArray('Float32Array')),
      unitFrequency: optional(typedArray('Float32Array')),
      reason: optional(str({ maxLength: 8192 })),
      note: optional(str({ maxLength: 8192 })),
    }),
  },
  /**
   * A checkpoint session's saved latent directions (directions.json in the checkpoint folder); a
   * session without a checkpoint folder answers none and, in `unsaved`, why it cannot keep any.
   */
  directions: { params: obj({ sessionId }), result: obj({ directions: arr(savedDirectionSchema, { maxLength: 1000 }), unsaved: optional(str({ maxLength: 1000 })) }) },
  /** Saves (or replaces, by name) a direction with the checkpoint; answers every saved direction. */
  saveDirection: {
    params: obj({ sessionId, name: directionName, vector: typedArray('Float32Array', { maxLength: 65_536 }), note: optional(str({ maxLength: 1000 })) }),
    result: obj({ directions: arr(savedDirectionSchema, { maxLength: 1000 }) }),
  },
  deleteDirection: { params: obj({ sessionId, name: directionName }), result: obj({ directions: arr(savedDirectionSchema, { maxLength: 1000 }) }) },
  /** Aborts a running request; it then fails with code `cancelled`. */
  cancel: { params: obj({ requestId: num({ integer: true, min: 0 }) }), result: obj({ cancelled: bool() }) },
} satisfies Record<string, MethodSpec>;

export type EngineMethod = keyof typeof engineMethods;
export type ParamsOf<M extends EngineMethod> = Infer<(typeof engineMethods)[M]['params']>;
export type ResultOf<M extends EngineMethod> = Infer<(typeof engineMethods)[M]['result']>;

export const engineEvents = {
  log: obj({ level: oneOf(['debug', 'info', 'warn', 'error'] as const), message: str({ maxLength: 100_000 }) }),
  backend: engineInfoSchema,
  progress: progressSchema,
  projectProgress: obj({ fraction: num({ min: 0, max: 1 }), stage: str({ maxLength: 200 }) }),
} satisfies Record<string, Schema<unknown>>;

export type EngineEventName = keyof typeof engineEvents;
export type EventData<E extends EngineEventName> = Infer<(typeof engineEvents)[E]>;

export const errorCodes = ['bad-request', 'unknown-method', 'failed', 'cancelled', 'timeout', 'engine-died'] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** A failure that travels back to the caller as an error response. */
export class EngineError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
