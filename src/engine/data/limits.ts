/**
 * Caps that keep every reader bounded whatever a file claims. Headers are checked against these
 * before anything is allocated from them.
 */
import { DataError } from './dataset';

/** No array may declare more elements than this (int32 indexing), whatever its dtype. */
export const MAX_ELEMENTS = 2 ** 31 - 1;
export const MAX_ZIP_ENTRIES = 10_000;
export const MAX_CSV_BYTES = 1024 ** 3;
export const MAX_IMAGE_FILES = 100_000;
/** Per image, so one huge or malformed picture cannot exhaust memory while it is decoded. */
export const MAX_IMAGE_MEGAPIXELS = 64;
export const MAX_IMAGE_FILE_BYTES = 256 * 1024 ** 2;
/** A label column with more distinct values than this is not a class column. */
export const MAX_LABEL_NAMES = 100_000;

const DEFAULT_MAX_DATA_BYTES = 2 * 1024 ** 3;

/**
 * Bytes any one dataset may occupy, decompressed or as float32 samples. `LATENT_LAB_MAX_DATA_BYTES`
 * raises or lowers it for machines with more or less memory.
 */
export function maxDataBytes(): number {
  const configured = Number(process.env.LATENT_LAB_MAX_DATA_BYTES);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_MAX_DATA_BYTES;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/** Refuses before allocating when `values` float32 samples would not fit the data budget. */
export function checkValueBudget(values: number, where: string): void {
  const bytes = values * 4;
  if (bytes > maxDataBytes()) {
    throw new DataError(
      `${where}: ${values} values need ${formatBytes(bytes)} as float32, over the ${formatBytes(maxDataBytes())} limit; load fewer samples (limit) or raise LATENT_LAB_MAX_DATA_BYTES`,
    );
  }
}
