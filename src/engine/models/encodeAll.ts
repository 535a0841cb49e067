/** Batched passes over a whole dataset: latents, and optionally each sample's reconstruction error. */
import type { Tf } from '../backend';
import { arrayBatches, type RowBatches } from '../data/sampleRows';
import type { BuiltModel } from './modelKind';

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

/** Reads the rows one batch at a time, so only the latents (and errors) grow with the dataset. */
export async function encodeDataset(tf: Tf, model: BuiltModel<unknown>, data: RowBatches, options: EncodeOptions & { withErrors?: boolean } = {}): Promise<Encoded> {
  const { count, shape } = data;
  const encodeOptions = options.k === undefined ? undefined : { k: options.k };
  const latents = new Float32Array(count * model.latentDim);
  const errors = options.withErrors ? new Float32Array(count) : undefined;
  for await (const { start, rows, x } of data.batches(options.batchSize ?? 1024, options.signal)) {
    const [code, error] = tf.tidy(() => {
      const batch = tf.tensor(x, [rows, ...shape]);
      const z = model.encode(batch, encodeOptions);
      if (!errors) return [z];
      const reconstruction = model.decode(z);
      return [z, tf.mean(tf.squaredDifference(reconstruction.reshape([rows, -1]), batch.reshape([rows, -1])), 1)];
    });
    latents.set((await code!.data()) as Float32Array, start * model.latentDim);
    code!.dispose();
    if (errors && error) {
      errors.set((await error.data()) as Float32Array, start);
      error.dispose();
    }
  }
  return errors ? { latents, errors } : { latents };
}

/** Latents of samples already in memory, [count, ...shape] in the model's normalisation. */
export async function encodeAll(tf: Tf, model: BuiltModel<unknown>, x: Float32Array, shape: readonly number[], options: EncodeOptions = {}): Promise<Float32Array> {
  return (await encodeDataset(tf, model, arrayBatches(x, shape), options)).latents;
}
