/** Batched encoding of a whole dataset into one latent matrix, with no tensor left behind. */
import type { Tf } from '../backend';
import type { BuiltModel } from './modelKind';

export async function encodeAll(tf: Tf, model: BuiltModel<unknown>, x: Float32Array, shape: readonly number[], options: { batchSize?: number; k?: number; signal?: AbortSignal } = {}): Promise<Float32Array> {
  const rowSize = shape.reduce((a, b) => a * b, 1);
  const count = x.length / rowSize;
  const batchSize = options.batchSize ?? 1024;
  const latents = new Float32Array(count * model.latentDim);
  for (let start = 0; start < count; start += batchSize) {
    options.signal?.throwIfAborted();
    const rows = Math.min(batchSize, count - start);
    const z = tf.tidy(() => model.encode(tf.tensor(x.subarray(start * rowSize, (start + rows) * rowSize), [rows, ...shape]), options.k === undefined ? undefined : { k: options.k }));
    latents.set(await z.data() as Float32Array, start * model.latentDim);
    z.dispose();
  }
  return latents;
}
