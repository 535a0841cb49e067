/** Batched passes over a whole dataset: latents, and optionally each sample's reconstruction error. */
import type { Tf } from '../backend';
import { sampleSize } from '../data/dataset';
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

export async function encodeDataset(tf: Tf, model: BuiltModel<unknown>, x: Float32Array, shape: readonly number[], options: EncodeOptions & { withErrors?: boolean } = {}): Promise<Encoded> {
  const rowSize = sampleSize(shape);
  const count = x.length / rowSize;
  const batchSize = options.batchSize ?? 1024;
  const encodeOptions = options.k === undefined ? undefined : { k: options.k };
  const latents = new Float32Array(count * model.latentDim);
  const errors = options.withErrors ? new Float32Array(count) : undefined;
  for (let start = 0; start < count; start += batchSize) {
    options.signal?.throwIfAborted();
    const rows = Math.min(batchSize, count - start);
    const [code, error] = tf.tidy(() => {
      const batch = tf.tensor(x.subarray(start * rowSize, (start + rows) * rowSize), [rows, ...shape]);
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

export async function encodeAll(tf: Tf, model: BuiltModel<unknown>, x: Float32Array, shape: readonly number[], options: EncodeOptions = {}): Promise<Float32Array> {
  return (await encodeDataset(tf, model, x, shape, options)).latents;
}
