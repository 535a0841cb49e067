/** What each format reader hands to `loadDataset`, before shapes and normalisation are settled. */
import type { DType, RawArray } from './arrays';
import type { LoadOptions } from './dataset';
import type { ArrayHeader } from './readers/arrayFile';

export interface RawDataset {
  /** `shape[0]` counts samples. */
  array: RawArray;
  labels?: Int32Array;
  labelNames?: string[];
}

export interface LabelSummary {
  count: number;
  /** Class count: label names, or the largest class index + 1. */
  classes: number;
  names?: string[];
}

/** What `inspect` reports, gathered without holding the data in memory. */
export interface RawSummary {
  dtype: DType;
  /** `shape[0]` counts samples. */
  shape: number[];
  min: number;
  max: number;
  labels?: LabelSummary;
}

/** An uncompressed array file whose samples can be read where they lie (see data/fileRows). */
export interface RowFile {
  path: string;
  header: ArrayHeader;
  /** Of the first `limit` samples: labels are small, so they are read whole. */
  labels?: Int32Array;
}

export interface FormatReader {
  load(path: string, options: LoadOptions): Promise<RawDataset>;
  inspect(path: string, options: LoadOptions): Promise<RawSummary>;
  /** Formats whose samples lie at known byte offsets; undefined for a file that must be decoded whole (compressed). */
  rowFile?(path: string, options: LoadOptions): Promise<RowFile | undefined>;
}
