/**
 * What every reader produces: samples as normalised float32 rows plus the normalisation that maps
 * raw values into the model's range, so a checkpoint can normalise new data the same way.
 */

/** `x_model = (x_raw - min) / (max - min)`, one entry per feature or a single entry for all. */
export interface Normalization {
  kind: 'minmax';
  min: number[];
  max: number[];
}

export interface Dataset {
  /** Human name: `sample`, or the file/folder base name. */
  name: string;
  /** `sample` or the absolute path it was read from. */
  source: string;
  /** Per-sample shape: [h, w, c] for images, [features] for tabular data. */
  shape: number[];
  count: number;
  /** Row-major, `count * prod(shape)` values, normalised into [0, 1] by `normalization`. */
  x: Float32Array;
  labels?: Int32Array;
  labelNames?: string[];
  normalization: Normalization;
}

export interface LoadOptions {
  /** Keep only the first `limit` samples (read no more than needed where the format allows). */
  limit?: number;
  signal?: AbortSignal;
  /** For image folders: every image is resized to this [h, w]; defaults to the first image's size. */
  imageSize?: [number, number];
  /**
   * For CSV: the label column's header name; `null` for none. By default a column named `label`,
   * `labels`, `class`, `target` or `y` is the label column when there is one.
   */
  labelColumn?: string | null;
}

/** A dataset problem a user can fix: the message names the file and what to do, in one line. */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

/** File-system failures mid-read (permissions, a file vanishing) are data problems too. */
export async function asDataError<T>(path: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (!(error instanceof DataError) && typeof code === 'string' && code.startsWith('E')) throw new DataError(`${path}: cannot read it (${message})`);
    throw error;
  }
}

export function sampleSize(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}
