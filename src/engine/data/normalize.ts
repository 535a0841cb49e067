/** From a reader's raw values to the normalised samples every model trains on. */
import type { DType, RawArray } from './arrays';
import { widenExtent } from './arrays';
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

/**
 * 8-bit data keeps its natural range so every image scales alike, whatever the values; other
 * dtypes are normalised by the range their values span (`ValueRange`).
 */
export function fixedNormalization(dtype: DType): Normalization | undefined {
  if (dtype === 'uint8') return { kind: 'minmax', min: [0], max: [255] };
  if (dtype === 'bool') return { kind: 'minmax', min: [0], max: [1] };
  return undefined;
}

/**
 * The range of raw values folded in piece by piece, refusing NaN and infinities: images share one
 * range, so relative brightness survives; tabular features (samples of shape [features]) each get
 * their own. Constant features get a unit range rather than a division by zero.
 */
export class ValueRange {
  private readonly size: number;
  private readonly min: Float64Array;
  private readonly max: Float64Array;

  constructor(
    shape: readonly number[],
    private readonly where: string,
  ) {
    this.size = sampleSize(shape);
    const entries = shape.length === 1 ? this.size : 1;
    this.min = new Float64Array(entries).fill(Infinity);
    this.max = new Float64Array(entries).fill(-Infinity);
  }

  /** `data` holds whole rows, the first of them sample `firstRow`. */
  add(data: ArrayLike<number>, firstRow: number): void {
    const { size, min, max, where } = this;
    if (min.length === 1) {
      const extent = widenExtent({ min: min[0]!, max: max[0]! }, data, size, where, firstRow * size);
      [min[0], max[0]] = [extent.min, extent.max];
      return;
    }
    for (let row = 0; row < data.length; row += size) {
      for (let feature = 0; feature < size; feature++) {
        const value = data[row + feature]!;
        if (!Number.isFinite(value)) throw new DataError(`${where}: sample ${firstRow + row / size} contains ${value}; replace NaN and infinite values before loading`);
        if (value < min[feature]!) min[feature] = value;
        if (value > max[feature]!) max[feature] = value;
      }
    }
  }

  normalization(): Normalization {
    const min = Array.from(this.min);
    return { kind: 'minmax', min, max: Array.from(this.max, (value, i) => (value > min[i]! ? value : min[i]! + 1)) };
  }
}

/** Refuses a normalisation that does not fit samples of `features` values (a model for other data). */
export function checkNormalization(normalization: Normalization, features: number, where: string): void {
  if (normalization.min.length !== 1 && normalization.min.length !== features) {
    throw new DataError(`${where}: the normalisation has ${normalization.min.length} entries but samples have ${features} features — the data does not match the model`);
  }
}

/**
 * Writes `data` (raw values, whole rows of `size`) into `out` from `at`, normalised:
 * `(raw - min) / (max - min)` per feature, or with one range for all.
 */
export function normalizeRows(data: ArrayLike<number>, normalization: Normalization, size: number, out: Float32Array, at = 0): void {
  const { min, max } = normalization;
  if (min.length > 1) {
    const range = max.map((value, i) => value - min[i]!);
    for (let row = 0; row < data.length; row += size) {
      for (let feature = 0; feature < size; feature++) out[at + row + feature] = (data[row + feature]! - min[feature]!) / range[feature]!;
    }
  } else {
    const [low, span] = [min[0]!, max[0]! - min[0]!];
    for (let i = 0; i < data.length; i++) out[at + i] = (data[i]! - low) / span;
  }
}

async function normalizationOf(array: RawArray, count: number, shape: number[], where: string): Promise<Normalization> {
  const fixed = fixedNormalization(array.dtype);
  if (fixed) return fixed;
  const size = sampleSize(shape);
  const range = new ValueRange(shape, where);
  await eachRowRange(count, size, (from, to) => range.add(array.data.subarray(from, to), from / size));
  return range.normalization();
}

export async function toDataset(raw: RawDataset, name: string, source: string, where: string): Promise<Dataset> {
  const shape = sampleShape(raw.array.shape, where);
  const count = raw.array.shape[0]!;
  const size = sampleSize(shape);
  const normalization = await normalizationOf(raw.array, count, shape, where);
  const { data } = raw.array;
  const x = new Float32Array(data.length);
  await eachRowRange(count, size, (from, to) => normalizeRows(data.subarray(from, to), normalization, size, x, from));
  const dataset: Dataset = { name, source, shape, count, x, normalization };
  if (raw.labels) dataset.labels = raw.labels;
  if (raw.labelNames) dataset.labelNames = raw.labelNames;
  return dataset;
}
