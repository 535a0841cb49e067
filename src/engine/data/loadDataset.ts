/**
 * The one entry point for datasets: `sample`, a folder of images, or a .npy, .npz, .csv or IDX
 * file. Every problem a user can fix surfaces as a one-line DataError.
 */
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { csvReader } from './readers/csv';
import { asDataError, type Dataset, DataError, type LoadOptions } from './dataset';
import { type FileRowsOptions, openFileRows } from './fileRows';
import type { FormatReader, LabelSummary } from './formats';
import { idxReader } from './readers/idx';
import { imageFolderReader } from './readers/imageFolder';
import { sampleShape, toDataset } from './normalize';
import { npyReader } from './readers/npy';
import { npzReader } from './readers/npz';
import { sampleFiles, sampleReader } from './sample';
import { datasetRows, type SampleRows } from './sampleRows';

export { asDataError } from './dataset';

export type DatasetFormat = 'sample' | 'images' | 'npy' | 'npz' | 'csv' | 'idx';

export interface DatasetSummary {
  format: DatasetFormat;
  /** The file or folder read (for `sample`, its images file). */
  path: string;
  count: number;
  /** Per-sample shape, as `loadDataset` would give it. */
  shape: number[];
  /** As stored: `uint8`, `float32`, …; CSV values are `float64`. */
  dtype: string;
  /** `count` 0 when there are no labels. */
  labels: LabelSummary | { count: 0 };
  /** Of the raw values, before normalisation. */
  min: number;
  max: number;
}

export type InspectOptions = Pick<LoadOptions, 'signal' | 'imageSize' | 'labelColumn'>;

const READERS: Record<DatasetFormat, FormatReader> = {
  sample: sampleReader,
  images: imageFolderReader,
  npy: npyReader,
  npz: npzReader,
  csv: csvReader,
  idx: idxReader,
};

const SUPPORTED = 'sample, a folder of PNG/JPEG images, .npy, .npz, .csv, or MNIST-style IDX (*-idx3-ubyte, optionally .gz)';

async function locate(spec: string): Promise<{ format: DatasetFormat; path: string }> {
  if (spec === 'sample') return { format: 'sample', path: sampleFiles().images };
  const path = resolve(spec);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') throw new DataError(`${path}: no such file or folder; check the path, or use "sample" for the bundled digits`);
    throw new DataError(`${path}: cannot read it (${error.message})`);
  });
  if (info.isDirectory()) return { format: 'images', path };
  const name = basename(path).toLowerCase();
  for (const format of ['npy', 'npz', 'csv'] as const) if (name.endsWith(`.${format}`)) return { format, path };
  if (name.includes('idx') || /-ubyte(\.gz)?$/.test(name) || name.endsWith('.gz')) return { format: 'idx', path };
  throw new DataError(`${path}: unknown dataset format; supported: ${SUPPORTED}`);
}

function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) throw new DataError(`limit must be a whole number of samples, at least 1 (got ${limit})`);
}

export async function loadDataset(spec: string, options: LoadOptions = {}): Promise<Dataset> {
  checkLimit(options.limit);
  const { format, path } = await locate(spec);
  const raw = await asDataError(path, READERS[format].load(path, options));
  return format === 'sample' ? toDataset(raw, 'sample', 'sample', path) : toDataset(raw, basename(path), path, path);
}

/**
 * The samples of `spec` for an explorer session, in `options.normalization` (by default the data's
 * own). Uncompressed .npy and IDX files stay on disk and are read where they lie, so the data budget
 * (maxDataBytes) does not bound them; other formats are decoded whole, within it.
 */
export async function openSampleRows(spec: string, options: FileRowsOptions = {}): Promise<SampleRows> {
  checkLimit(options.limit);
  const { format, path } = await locate(spec);
  const { rowFile } = READERS[format];
  const file = rowFile && (await asDataError(path, rowFile(path, options)));
  if (file) return openFileRows(file, options);
  const dataset = await loadDataset(spec, options);
  return datasetRows(dataset, options.normalization ?? dataset.normalization, await datasetTotal(spec, dataset, options.limit, options.signal));
}

/**
 * How many samples `spec` holds when `loaded` came from it with `limit`: a limited load is read
 * again as a summary (one piece at a time), so a header can say "N of M" without loading all of it.
 */
async function datasetTotal(spec: string, loaded: Dataset, limit: number | undefined, signal?: AbortSignal): Promise<number> {
  return limit === undefined ? loaded.count : (await inspectDataset(spec, { signal })).count;
}

/** Validates a dataset and summarises it while holding at most one piece of it in memory. */
export async function inspectDataset(spec: string, options: InspectOptions = {}): Promise<DatasetSummary> {
  const { format, path } = await locate(spec);
  const { signal, imageSize, labelColumn } = options;
  const summary = await asDataError(path, READERS[format].inspect(path, { signal, imageSize, labelColumn }));
  return {
    format,
    path,
    count: summary.shape[0] ?? 0,
    shape: sampleShape(summary.shape, path),
    dtype: summary.dtype,
    labels: summary.labels ?? { count: 0 },
    min: summary.min,
    max: summary.max,
  };
}
