/**
 * What a weight manifest may declare, and the byte layout it implies. Sizes are computed here, from
 * the declaration alone, so a file can be measured against them before it is read.
 */
import type { io } from '@tensorflow/tfjs';
import { arr, num, oneOf, optional, str, obj, unknownValue } from '../../shared/schema';
import { CheckpointError } from './errors';

/** One buffer holds a model's weights; beyond this the file is not a model we can load anyway. */
export const MAX_WEIGHT_BYTES = 2 * 1024 ** 3;
const MAX_RANK = 8;

export const shapeSchema = arr(num({ min: 0, max: MAX_WEIGHT_BYTES, integer: true }), { maxLength: MAX_RANK });

export const weightSpecSchema = obj({
  name: str({ minLength: 1, maxLength: 1024 }),
  shape: shapeSchema,
  // Every dtype tfjs can declare is accepted by the schema so that byteLength can refuse the
  // unsupported ones with a message that says why.
  dtype: oneOf(['float32', 'int32', 'bool', 'string', 'complex64']),
  group: optional(oneOf(['model', 'optimizer'])),
  quantization: optional(unknownValue()),
});

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: io.WeightsManifestEntry['dtype'];
  quantization?: unknown;
}

const DTYPE_BYTES: Partial<Record<string, number>> = { float32: 4, int32: 4, bool: 1 };

function byteLength(spec: WeightSpec, file: string): number {
  const weight = `weight ${JSON.stringify(spec.name)}`;
  if (spec.quantization !== undefined) {
    throw new CheckpointError(`${file}: ${weight} is quantized, which is not supported; convert the model without quantization`);
  }
  const bytesPerValue = DTYPE_BYTES[spec.dtype];
  if (bytesPerValue === undefined) {
    throw new CheckpointError(`${file}: ${weight} has dtype ${spec.dtype}, which is not supported (float32, int32 or bool); export the model with numeric weights`);
  }
  let bytes = bytesPerValue;
  for (const dim of spec.shape) {
    bytes *= dim;
    // Checked per factor so the product never leaves the range where doubles are exact.
    if (bytes > MAX_WEIGHT_BYTES) {
      throw new CheckpointError(`${file}: ${weight} declares shape [${spec.shape.join(', ')}], over the ${MAX_WEIGHT_BYTES / 1024 ** 3} GiB limit; the manifest is corrupt or the model is too large`);
    }
  }
  return bytes;
}

/** Byte offset of each weight and the total, in manifest order (the order tfjs decodes in). */
export function layout(specs: readonly WeightSpec[], file: string): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  const names = new Set<string>();
  let total = 0;
  for (const spec of specs) {
    // tfjs decodes weights into a plain object keyed by name, where this one name would set the
    // object's prototype instead of a key: the weight would be lost to lookups and never disposed.
    if (spec.name === '__proto__') throw new CheckpointError(`${file}: a weight is named "__proto__", which no real model uses; the file is hostile or corrupt — save or export the model again`);
    if (names.has(spec.name)) throw new CheckpointError(`${file}: weight ${JSON.stringify(spec.name)} is declared twice; the manifest is corrupt — save the model again`);
    names.add(spec.name);
    offsets.push(total);
    total += byteLength(spec, file);
    if (total > MAX_WEIGHT_BYTES) throw new CheckpointError(`${file}: the weights total more than ${MAX_WEIGHT_BYTES / 1024 ** 3} GiB; the manifest is corrupt or the model is too large`);
  }
  return { offsets, total };
}

/** NaN or ±Infinity in a float weight; `bytes` holds exactly the weights of `specs`, in order. */
export function assertFinite(bytes: Uint8Array, specs: readonly WeightSpec[], file: string): void {
  const { offsets } = layout(specs, file);
  specs.forEach((spec, index) => {
    if (spec.dtype !== 'float32') return;
    const start = bytes.byteOffset + offsets[index]!;
    const count = spec.shape.reduce((product, dim) => product * dim, 1);
    // A bool weight earlier in the buffer can leave a float32 weight unaligned for a typed-array view.
    const values = start % 4 === 0 ? new Float32Array(bytes.buffer, start, count) : new Float32Array(bytes.slice(offsets[index]!, offsets[index]! + count * 4).buffer);
    const bad = values.findIndex((value) => !Number.isFinite(value));
    if (bad !== -1) {
      throw new CheckpointError(`${file}: weight ${JSON.stringify(spec.name)} holds ${values[bad]} at index ${bad}; the weights are corrupt or training diverged — restore an earlier checkpoint or retrain`);
    }
  });
}
