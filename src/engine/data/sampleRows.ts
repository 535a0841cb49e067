/**
 * The samples an explorer session reads: all of them once, in batches, to encode them, then a few
 * at a time for hover thumbnails and diagnostics. Values come in the normalisation the rows were
 * opened with (the model's), whatever the file stores. Files whose samples lie at known offsets
 * stay on disk (fileRows); other formats are decoded whole into a Dataset (`datasetRows`).
 */
import { type Dataset, type Normalization, sampleSize } from './dataset';
import { renormalizeRows } from './renormalize';
import { nextTurn } from '../eventLoop';

export interface RowBatch {
  /** Index of the batch's first sample. */
  start: number;
  rows: number;
  /** [rows, ...shape]; the rows' own until the next batch, not to be written into. */
  x: Float32Array;
}

/** What encoding needs: every row once, in order. */
export interface RowBatches {
  count: number;
  /** Per-sample shape: [h, w, c] for images, [features] for tabular data. */
  shape: number[];
  /** Every row in order, `size` at a time, with a turn of the event loop before each batch; stops when `signal` aborts. */
  batches(size: number, signal?: AbortSignal): AsyncIterable<RowBatch>;
}

export interface SampleRows extends RowBatches {
  /** `sample` or the absolute path read. */
  source: string;
  /** Samples the data holds, before any limit. */
  totalCount: number;
  labels?: Int32Array;
  labelNames?: string[];
  /** The samples at `indices` (each within 0..count-1), [indices.length, ...shape], in a fresh array. */
  read(indices: ArrayLike<number>): Promise<Float32Array>;
  /** Releases what the rows hold open (never fails); reads after it fail. */
  close(): Promise<void>;
}

/** [start, start + rows) ranges covering `count` rows, each after a turn of the event loop and a check for cancel. */
export async function* rowRanges(count: number, size: number, signal?: AbortSignal): AsyncGenerator<{ start: number; rows: number }> {
  for (let start = 0; start < count; start += size) {
    await nextTurn('data');
    signal?.throwIfAborted();
    yield { start, rows: Math.min(size, count - start) };
  }
}

/** `batches` over rows that `readRange` reads in one piece each. */
export function batchesOf(count: number, readRange: (start: number, rows: number) => Promise<Float32Array> | Float32Array): RowBatches['batches'] {
  return async function* (size, signal) {
    for await (const { start, rows } of rowRanges(count, size, signal)) yield { start, rows, x: await readRange(start, rows) };
  };
}

/** Rows already in memory in the model's normalisation (a few hovered samples, a CLI's dataset). */
export function arrayBatches(x: Float32Array, shape: readonly number[]): RowBatches {
  const size = sampleSize(shape);
  const count = x.length / size;
  return { count, shape: [...shape], batches: batchesOf(count, (start, rows) => x.subarray(start * size, (start + rows) * size)) };
}

/** A dataset decoded whole (formats that cannot be read in place), each read rescaled from its own normalisation to `normalization`. */
export function datasetRows(dataset: Dataset, normalization: Normalization, totalCount: number): SampleRows {
  const { x, shape, count, source } = dataset;
  const size = sampleSize(shape);
  const rescale = (values: Float32Array) => renormalizeRows(values, size, dataset.normalization, normalization, source);
  const rows: SampleRows = {
    source,
    shape,
    count,
    totalCount,
    batches: batchesOf(count, (start, rows) => rescale(x.subarray(start * size, (start + rows) * size))),
    read: async (indices) => {
      const out = new Float32Array(indices.length * size);
      for (let row = 0; row < indices.length; row++) out.set(x.subarray(indices[row]! * size, (indices[row]! + 1) * size), row * size);
      return rescale(out);
    },
    close: async () => undefined,
  };
  if (dataset.labels) rows.labels = dataset.labels;
  if (dataset.labelNames) rows.labelNames = dataset.labelNames;
  return rows;
}
