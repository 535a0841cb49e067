/**
 * extra.bin: the float32 variables that live outside the two models (the VQ-VAE codebook), stored
 * back to back in the order latent-lab.json lists them, and checked like any weight file.
 */
import type { Variable } from '@tensorflow/tfjs';
import { readWeights } from './folderIO';
import { CheckpointError } from './errors';
import type { ExtraEntry } from './meta';
import { assertFinite } from './weightSpecs';

export const EXTRA_FILE = 'extra.bin';

export async function encodeExtra(variables: Record<string, Variable>, file: string): Promise<{ entries: ExtraEntry[]; bytes: Uint8Array }> {
  const entries: ExtraEntry[] = [];
  const chunks: Uint8Array[] = [];
  let byteOffset = 0;
  for (const [name, variable] of Object.entries(variables)) {
    if (variable.dtype !== 'float32') {
      throw new CheckpointError(`${file}: extra variable ${JSON.stringify(name)} is ${variable.dtype}; only float32 extra variables can be saved — cast it when building the model`);
    }
    const values = (await variable.data()) as Float32Array;
    entries.push({ name, shape: [...variable.shape], dtype: 'float32', byteOffset });
    chunks.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    byteOffset += values.byteLength;
  }
  const bytes = Buffer.concat(chunks);
  assertFinite(bytes, entries, file);
  return { entries, bytes };
}

/** Values of each entry, read from `root`/extra.bin with the same size and finiteness checks as weights. */
export async function readExtra(root: string, entries: readonly ExtraEntry[], metaFile: string): Promise<Float32Array[]> {
  if (entries.length === 0) return [];
  const bytes = await readWeights(root, [EXTRA_FILE], entries, metaFile);
  return entries.map((entry) => new Float32Array(bytes.buffer, entry.byteOffset, entry.shape.reduce((product, dim) => product * dim, 1)));
}
