/** From a reader's raw array to the normalised samples every model trains on. */
import type { NumericArray, RawArray } from './arrays';
import { emptyExtent, widenExtent } from './arrays';
import { type Dataset, DataError, type Normalization, sampleSize } from './dataset';
import type { RawDataset } from './formats';

/** Per-sample shape: (n, h, w) gains a channel, (n, ...rest) keeps the rest. */
export function sampleShape(shape: readonly number[], where: string): number[] {
  if (shape.length < 2) {
    throw new DataError(
      `${where}: holds a ${shape.length}-D array of shape (${shape.join(', ')}); Latent Lab needs one row per sample — shape (samples, features) or (samples, height, width[, channels])`,
    );
  }
  if (shape[0] === 0) throw new DataError(`${where}: holds no samples`);
  if (shape.includes(0)) throw new DataError(`${where}: its samples are empty (shape (${shape.join(', ')})); save an array with data`);
  return shape.length === 3 ? [shape[1]!, shape[2]!, 1] : shape.slice(1);
}

/** Per-column extent of rows of `size` values, refusing NaN and infinities. */
function featureExtents(data: NumericArray, size: number, where: string): { min: number[]; max: number[] } {
  const min = new Float64Array(size).fill(Infinity);
  const max = new Float64Array(size).fill(-Infinity);
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    const feature = i % size;
    if (!Number.isFinite(value)) throw new DataError(`${where}: sample ${Math.floor(i / size)} contains ${value}; replace NaN and infinite values before loading`);
    if (value < min[feature]!) min[feature] = value;
    if (value > max[feature]!) max[feature] = value;
  }
  return { min: Array.from(min), max: Array.from(max) };
}

/**
 * 8-bit data keeps its natural range so every image scales alike; images share one range, so
 * relative brightness survives; tabular features each get their own. Constant features get a
 * unit range rather than a division by zero.
 */
function normalizationOf(array: RawArray, shape: number[], where: string): Normalization {
  if (array.dtype === 'uint8') return { kind: 'minmax', min: [0], max: [255] };
  if (array.dtype === 'bool') return { kind: 'minmax', min: [0], max: [1] };
  const size = sampleSize(shape);
  let min: number[];
  let max: number[];
  if (shape.length === 1) ({ min, max } = featureExtents(array.data, size, where));
  else {
    const extent = widenExtent(emptyExtent(), array.data, size, where);
    [min, max] = [[extent.min], [extent.max]];
  }
  return { kind: 'minmax', min, max: max.map((value, i) => (value > min[i]! ? value : min[i]! + 1)) };
}

export function toDataset(raw: RawDataset, name: string, source: string, where: string): Dataset {
  const shape = sampleShape(raw.array.shape, where);
  const count = raw.array.shape[0]!;
  const size = sampleSize(shape);
  const normalization = normalizationOf(raw.array, shape, where);
  const { min, max } = normalization;
  const perFeature = min.length > 1;
  const { data } = raw.array;
  const x = new Float32Array(data.length);
  for (let i = 0; i < x.length; i++) {
    const feature = perFeature ? i % size : 0;
    x[i] = (data[i]! - min[feature]!) / (max[feature]! - min[feature]!);
  }
  const dataset: Dataset = { name, source, shape, count, x, normalization };
  if (raw.labels) dataset.labels = raw.labels;
  if (raw.labelNames) dataset.labelNames = raw.labelNames;
  return dataset;
}
