/**
 * The latent timeline stored with a checkpoint: the latents of a fixed set of probe samples after
 * every epoch, with each unit's health then (KL per dimension, code usage, unit activation
 * frequency). Each epoch is one file in timeline/, written once: a save links the earlier epochs'
 * files into the new folder rather than copying them, so a long run does not rewrite its history
 * every epoch. Latents are quantised to 16 bits per value against the epoch's own per-dimension
 * range: the error is at most range / 131,070, finer than float16 for latents of any scale, and
 * numpy-free readers need no half-float decoding.
 */
import { arr, num, obj, optional, str, type Infer } from '../../shared/schema';
import { readCheckedFile, realFolder, resolveInside } from './confinedFs';
import { CheckpointError } from './errors';

export const TIMELINE_FOLDER = 'timeline';
/** Probes beyond this would make a 100-epoch timeline larger than the model it describes. */
export const MAX_PROBES = 100_000;
const MAX_UNITS = 1 << 16;
const LEVELS = 65_535;

const unitShares = arr(num({ min: 0 }), { maxLength: MAX_UNITS });

const timelineEpochSchema = obj({
  epoch: num({ min: 1, integer: true }),
  /** timeline/epoch-NNNNNN.bin */
  file: str({ maxLength: 64 }),
  /** VAEs: mean KL of each latent dimension over the probes (nats); a dimension near 0 has collapsed. */
  klPerDim: optional(arr(num({ min: 0 }), { maxLength: MAX_UNITS })),
  /** VQ-VAE: the share of probe positions that chose each code. */
  codeUsage: optional(unitShares),
  /** Dictionaries (k-sparse): the share of probes for which each unit is active. */
  unitFrequency: optional(unitShares),
});

export const timelineSchema = obj({
  /** Rows of the training data that are the probes, in probe order (a seeded draw from the validation split). */
  probeRows: arr(num({ min: 0, integer: true }), { maxLength: MAX_PROBES }),
  dim: num({ min: 1, max: MAX_UNITS, integer: true }),
  epochs: arr(timelineEpochSchema, { maxLength: 100_000 }),
});

export type Timeline = Infer<typeof timelineSchema>;
export type TimelineEpoch = Infer<typeof timelineEpochSchema>;

export const epochFile = (epoch: number) => `${TIMELINE_FOLDER}/epoch-${String(epoch).padStart(6, '0')}.bin`;

/** Bytes of one epoch's file: the per-dimension minimum and step (float32 each), then the codes (uint16, row-major). */
export const epochFileBytes = (probes: number, dim: number) => 8 * dim + 2 * probes * dim;

/** Quantises `latents` ([probes, dim], finite) into an epoch file. */
export function encodeEpoch(latents: Float32Array, dim: number): Uint8Array {
  const probes = latents.length / dim;
  const bytes = new Uint8Array(epochFileBytes(probes, dim));
  const view = new DataView(bytes.buffer);
  const codes = new Uint16Array(probes * dim);
  for (let j = 0; j < dim; j++) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = j; i < latents.length; i += dim) {
      min = Math.min(min, latents[i]!);
      max = Math.max(max, latents[i]!);
    }
    const step = max > min ? (max - min) / LEVELS : 0;
    view.setFloat32(4 * j, min, true);
    view.setFloat32(4 * (dim + j), step, true);
    for (let i = j; i < latents.length; i += dim) codes[i] = step > 0 ? Math.round((latents[i]! - min) / step) : 0;
  }
  for (let i = 0; i < codes.length; i++) view.setUint16(8 * dim + 2 * i, codes[i]!, true);
  return bytes;
}

function checkSize(size: number, probes: number, dim: number, where: string): void {
  if (size !== epochFileBytes(probes, dim)) {
    throw new CheckpointError(`${where} has ${size} bytes but ${probes} probes × ${dim} dims need ${epochFileBytes(probes, dim)}; the timeline is damaged — train the run again to record it`);
  }
}

export function decodeEpoch(bytes: Uint8Array, probes: number, dim: number, where: string): Float32Array {
  checkSize(bytes.length, probes, dim, where);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latents = new Float32Array(probes * dim);
  for (let j = 0; j < dim; j++) {
    const min = view.getFloat32(4 * j, true);
    const step = view.getFloat32(4 * (dim + j), true);
    if (!Number.isFinite(min) || !Number.isFinite(step) || step < 0) throw new CheckpointError(`${where}: dimension ${j} has a range of ${min} by ${step}; the timeline is damaged — train the run again to record it`);
    for (let i = j; i < latents.length; i += dim) latents[i] = min + step * view.getUint16(8 * dim + 2 * i, true);
  }
  return latents;
}

/** The latents of the probes after `epoch`, read from the checkpoint folder's timeline. */
export async function readEpochLatents(folder: string, timeline: Timeline, epoch: number, referencedBy: string): Promise<Float32Array> {
  const entry = timeline.epochs.find((candidate) => candidate.epoch === epoch);
  if (!entry) throw new CheckpointError(`${referencedBy}: the timeline has no epoch ${epoch} (it has ${describeEpochs(timeline)})`);
  const probes = timeline.probeRows.length;
  const file = await resolveInside(await realFolder(folder), entry.file, referencedBy);
  checkSize(file.size, probes, timeline.dim, file.path);
  const bytes = new Uint8Array(file.size);
  await readCheckedFile(file, bytes);
  return decodeEpoch(bytes, probes, timeline.dim, file.path);
}

function describeEpochs({ epochs }: Timeline): string {
  if (epochs.length === 0) return 'none';
  return `${epochs[0]!.epoch}–${epochs.at(-1)!.epoch}`;
}
