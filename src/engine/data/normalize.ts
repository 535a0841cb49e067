/** From a reader's raw array to the normalised samples every model trains on. */
import type { NumericArray, RawArray } from './arrays';
import { emptyExtent, widenExtent } from './arrays';
import { type Dataset, DataError, type Normalization, sampleSize } from './dataset';
import type { RawDataset } from './formats';
import { nextTurn } from '../eventLoop';

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

/** Values scanned or normalised between turns of the event loop; small, because the first pieces run before V8 has optimised the loops below. */
const VALUES_PER_TURN = 1 << 18;

/**
 * Hands `visit` the value ranges [from, to) of `count` rows of `size` values, whole rows at a
 * time, with a turn of the event loop before each, so that a large dataset never holds the loop
 * (a training process reading a cancel, an explorer answering its page) for long.
 */
async function eachRowRange(count: number, size: number, visit: (from: number, to: number) => void): Promise<void> {
  const rows = Math.max(1, Math.floor(VALUES_PER_TURN / size));
  for (let row = 0; row < count; row += rows) {
    await nextTurn('data');
    visit(row * size, Math.min(count, row + rows) * size);
  }
}

/** Per-column extent of `count` rows of `size` values, refusing NaN and infinities. */
async function featureExtents(data: NumericArray, count: number, size: number, where: string): Promise<{ min: number[]; max: number[] }> {
  const min = new Float64Array(size).fill(Infinity);
  const max = new Float64Array(size).fill(-Infinity);
  await eachRowRange(count, size, (from, to) => {
    for (let row = from; row < to; row += size) {
      for (let feature = 0; feature < size; feature++) {
        const value = data[row + feature]!;
        if (!Number.isFinite(value)) throw new DataError(`${where}: sample ${row / size} contains ${value}; replace NaN and infinite values before loading`);
        if (value < min[feature]!) min[feature] = value;
        if (value > max[feature]!) max[feature] = value;
      }
    }
  });
  return { min: Array.from(min), max: Array.from(max) };
}

/**
 * 8-bit data keeps its natural range so every image scales alike; images share one range, so
 * relative brightness survives; tabular features each get their own. Constant features get a
 * unit range rather than a division by zero.
 */
async function normalizationOf(array: RawArray, count: number, shape: number[], where: string): Promise<Normalization> {
  if (array.dtype === 'uint8') return { kind: 'minmax', min: [0], max: [255] };
  if (array.dtype === 'bool') return { kind: 'minmax', min: [0], max: [1] };
  const size = sampleSize(shape);
  let min: number[];
  let max: number[];
  if (shape.length === 1) ({ min, max } = await featureExtents(array.data, count, size, where));
  else {
    let extent = emptyExtent();
    await eachRowRange(count, size, (from, to) => {
      extent = widenExtent(extent, array.data.subarray(from, to), size, where, from);
    });
    [min, max] = [[extent.min], [extent.max]];
  }
  return { kind: 'minmax', min, max: max.map((value, i) => (value > min[i]! ? value : min[i]! + 1)) };
}

export async function toDataset(raw: RawDataset, name: string, source: string, where: string): Promise<Dataset> {
  const shape = sampleShape(raw.array.shape, where);
  const count = raw.array.shape[0]!;
  const size = sampleSize(shape);
  const normalization = await normalizationOf(raw.array, count, shape, where);
  const { min, max } = normalization;
  const range = max.map((value, i) => value - min[i]!);
  const { data } = raw.array;
  const x = new Float32Array(data.length);
  await eachRowRange(count, size, (from, to) => {
    if (min.length > 1) {
      for (let row = from; row < to; row += size) {
        for (let feature = 0; feature < size; feature++) x[row + feature] = (data[row + feature]! - min[feature]!) / range[feature]!;
      }
    } else {
      const [low, span] = [min[0]!, range[0]!];
      for (let i = from; i < to; i++) x[i] = (data[i]! - low) / span;
    }
  });
  const dataset: Dataset = { name, source, shape, count, x, normalization };
  if (raw.labels) dataset.labels = raw.labels;
  if (raw.labelNames) dataset.labelNames = raw.labelNames;
  return dataset;
}
