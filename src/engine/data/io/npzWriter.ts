/**
 * Writes a NumPy .npz (a zip of .npy members, deflated as numpy.savez_compressed does) with yazl, a
 * small, long-maintained zip writer: numpy.load reads it, and so does the engine's own npz reader.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { encodeNpy } from '../readers/npy';

export interface NpzArray {
  data: Float32Array | Int32Array;
  shape: readonly number[];
}

export async function writeNpz(file: string, arrays: Record<string, NpzArray>): Promise<void> {
  const zip = new ZipFile();
  for (const [name, { data, shape }] of Object.entries(arrays)) zip.addBuffer(encodeNpy(data, shape), `${name}.npy`, { compress: true });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
}
