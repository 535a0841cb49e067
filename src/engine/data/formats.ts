/** What each format reader hands to `loadDataset`, before shapes and normalisation are settled. */
import type { DType, RawArray } from './arrays';
import type { LoadOptions } from './dataset';

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

export interface FormatReader {
  load(path: string, options: LoadOptions): Promise<RawDataset>;
  inspect(path: string, options: LoadOptions): Promise<RawSummary>;
}
