/** Batched passes of a foreign model over a whole dataset: latents, and each sample's reconstruction error when it decodes. */
import { sampleSize } from '../data/dataset';
import type { RowBatches } from '../data/sampleRows';
import type { ForeignCodec } from './openForeign';

export interface ForeignEncoded {
  latents: Float32Array;
  /** Mean squared reconstruction error per sample (only with `withErrors`, and when the model decodes). */
  errors?: Float32Array;
}

export interface ForeignEncodeOptions {
  batchSize?: number;
  signal?: AbortSignal;
  withErrors?: boolean;
}

/** Reads the rows one batch at a time, so only the latents (and errors) grow with the dataset. */
export async function encodeRowsWithForeign(codec: ForeignCodec, data: RowBatches, options: ForeignEncodeOptions = {}): Promise<ForeignEncoded> {
  const { count } = data;
  const rowSize = sampleSize(data.shape);
  const latents = new Float32Array(count * codec.latentDim);
  const errors = options.withErrors && codec.decode ? new Float32Array(count) : undefined;
  for await (const { start, rows, x } of data.batches(options.batchSize ?? 256, options.signal)) {
    const z = await codec.encode(x, rows);
    latents.set(z, start * codec.latentDim);
    if (!errors || !codec.decode) continue;
    const reconstruction = await codec.decode(z, rows);
    for (let row = 0; row < rows; row++) {
      let sum = 0;
      for (let i = row * rowSize; i < (row + 1) * rowSize; i++) sum += (reconstruction[i]! - x[i]!) ** 2;
      errors[start + row] = sum / rowSize;
    }
  }
  return errors ? { latents, errors } : { latents };
}
