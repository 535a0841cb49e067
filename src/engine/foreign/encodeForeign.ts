/** Batched passes of a foreign model over a whole dataset: latents, and each sample's reconstruction error when it decodes. */
import type { ForeignCodec } from './openForeign';

export interface ForeignEncoded {
  latents: Float32Array;
  /** Mean squared reconstruction error per sample (only with `withErrors`, and when the model decodes). */
  errors?: Float32Array;
}

export async function encodeWithForeign(codec: ForeignCodec, x: Float32Array, count: number, options: { batchSize?: number; signal?: AbortSignal; withErrors?: boolean } = {}): Promise<ForeignEncoded> {
  const rowSize = x.length / Math.max(count, 1);
  const batchSize = options.batchSize ?? 256;
  const latents = new Float32Array(count * codec.latentDim);
  const errors = options.withErrors && codec.decode ? new Float32Array(count) : undefined;
  for (let start = 0; start < count; start += batchSize) {
    options.signal?.throwIfAborted();
    const rows = Math.min(batchSize, count - start);
    const batch = x.subarray(start * rowSize, (start + rows) * rowSize);
    const z = await codec.encode(batch, rows);
    latents.set(z, start * codec.latentDim);
    if (!errors || !codec.decode) continue;
    const reconstruction = await codec.decode(z, rows);
    for (let row = 0; row < rows; row++) {
      let sum = 0;
      for (let i = row * rowSize; i < (row + 1) * rowSize; i++) sum += (reconstruction[i]! - batch[i]!) ** 2;
      errors[start + row] = sum / rowSize;
    }
  }
  return errors ? { latents, errors } : { latents };
}
