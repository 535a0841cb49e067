/** Batched passes over a whole dataset: latents, and optionally each sample's reconstruction error. */
import type { Tf } from '../backend';
import { arrayBatches, type RowBatches } from '../data/sampleRows';
import { CompiledSteps } from '../training/graph/compiledStep';
import type { BuiltModel, Tensor } from './modelKind';

export interface EncodeOptions {
  batchSize?: number;
  k?: number;
  signal?: AbortSignal;
}

export interface Encoded {
  latents: Float32Array;
  /** Mean squared reconstruction error per sample (only with `withErrors`). */
  errors?: Float32Array;
}

/**
 * Reads the rows one batch at a time, so only the latents (and errors) grow with the dataset. Full
 * batches run as one TensorFlow graph after three eager ones, as training steps do (compiledStep.ts):
 * there TensorFlow fuses each convolution with its bias and activation, where tfjs runs three kernels
 * (bench/README.md, encodeSamplesPerSecRatio). A batch the graph cannot reproduce stays eager.
 */
export async function encodeDataset(tf: Tf, model: BuiltModel<unknown>, data: RowBatches, options: EncodeOptions & { withErrors?: boolean } = {}): Promise<Encoded> {
  const { count, shape } = data;
  const encodeOptions = options.k === undefined ? undefined : { k: options.k };
  const latents = new Float32Array(count * model.latentDim);
  const errors = options.withErrors ? new Float32Array(count) : undefined;
  const steps = new CompiledSteps<Tensor>(
    tf,
    (batch) =>
      tf.tidy((): Record<string, Tensor> => {
        const z = model.encode(batch, encodeOptions);
        if (!errors) return { z };
        const rows = batch.shape[0]!;
        const reconstruction = model.decode(z);
        return { z, error: tf.mean(tf.squaredDifference(reconstruction.reshape([rows, -1]), batch.reshape([rows, -1])), 1) };
      }),
    true,
  );
  try {
    for await (const { start, rows, x } of data.batches(options.batchSize ?? 1024, options.signal)) {
      const batch = tf.tensor(x, [rows, ...shape]);
      const outputs = await steps.run(batch, 0).finally(() => batch.dispose());
      try {
        latents.set((await outputs.z!.data()) as Float32Array, start * model.latentDim);
        if (errors) errors.set((await outputs.error!.data()) as Float32Array, start);
      } finally {
        tf.dispose(Object.values(outputs));
      }
    }
  } finally {
    steps.dispose();
  }
  return errors ? { latents, errors } : { latents };
}

/** Latents of samples already in memory, [count, ...shape] in the model's normalisation. */
export async function encodeAll(tf: Tf, model: BuiltModel<unknown>, x: Float32Array, shape: readonly number[], options: EncodeOptions = {}): Promise<Float32Array> {
  return (await encodeDataset(tf, model, arrayBatches(x, shape), options)).latents;
}
