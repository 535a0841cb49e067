/**
 * Samples of an uncompressed array file (.npy, IDX) read where they lie, through one file handle,
 * so that a dataset larger than memory can be explored: the engine holds a bounded piece of raw
 * bytes at a time and leaves caching to the OS page cache.
 *
 * Positional reads rather than a memory map: Node maps no files without a native addon, and a
 * mapped file that shrinks under its reader kills the process (SIGBUS) where a short read becomes
 * a one-line error. Each read first checks that the file is still the one opened (size and
 * modification time), so data rewritten or truncated under an open session is refused rather than
 * shown as garbage; a file replaced by a rename stays readable through the handle as it was, which
 * is the data the session encoded.
 */
import { open } from 'node:fs/promises';
import { decodeOwnArray, emptyExtent, isIntegerDType, itemSize, type NumericArray, widenExtent } from './arrays';
import { asDataError, DataError, type Normalization, sampleSize } from './dataset';
import type { RowFile } from './formats';
import { checkNormalization, fixedNormalization, normalizeRows, sampleShape, ValueRange } from './normalize';
import { checkDeclaredSize } from './readers/arrayFile';
import { batchesOf, rowRanges, type SampleRows } from './sampleRows';

/** The most raw bytes one read asks for, so neither a large batch nor wide rows hold much memory at once. */
const MAX_READ_BYTES = 8 * 1024 ** 2;

export interface FileRowsOptions {
  limit?: number;
  signal?: AbortSignal;
  /** The model's; by default the data's own (for other dtypes than 8-bit, one pass over the samples finds it). */
  normalization?: Normalization;
}

export async function openFileRows(file: RowFile, options: FileRowsOptions): Promise<SampleRows> {
  const { path, header } = file;
  const shape = sampleShape(header.shape, path);
  const size = sampleSize(shape);
  const rowBytes = size * itemSize(header.dtype);
  const rowsPerRead = Math.max(1, Math.floor(MAX_READ_BYTES / rowBytes));
  const totalCount = header.shape[0]!;
  const count = Math.min(totalCount, options.limit ?? totalCount);
  const handle = await asDataError(path, open(path, 'r'));
  let closing: Promise<void> | undefined;
  try {
    const opened = await handle.stat({ bigint: true });
    checkDeclaredSize(path, Number(opened.size), header);

    const checkUnchanged = async () => {
      if (closing) throw new DataError(`${path}: the session reading it was closed; reopen it to see its samples`);
      const now = await asDataError(path, handle.stat({ bigint: true }));
      if (now.size !== opened.size || now.mtimeNs !== opened.mtimeNs) {
        const what = now.size < opened.size ? `truncated from ${opened.size} to ${now.size} bytes` : 'rewritten';
        throw new DataError(`${path}: ${what} since the session opened it; reopen it to explore what it holds now`);
      }
    };

    /** Raw values of samples [start, start + rows), refusing NaN and infinities. */
    const readRaw = async (start: number, rows: number): Promise<NumericArray> => {
      await checkUnchanged();
      const bytes = new Uint8Array(rows * rowBytes);
      const position = header.dataOffset + start * rowBytes;
      for (let filled = 0; filled < bytes.length; ) {
        const { bytesRead } = await asDataError(path, handle.read(bytes, filled, bytes.length - filled, position + filled));
        if (bytesRead === 0) throw new DataError(`${path}: ended at byte ${position + filled} inside sample ${start + Math.floor(filled / rowBytes)}; reopen it, or re-create the file`);
        filled += bytesRead;
      }
      const values = decodeOwnArray(bytes, header.dtype, header.littleEndian, path);
      if (!isIntegerDType(header.dtype)) widenExtent(emptyExtent(), values, size, path, start * size);
      return values;
    };

    const normalization = options.normalization ?? fixedNormalization(header.dtype) ?? (await valueRange(readRaw, shape, count, rowsPerRead, path, options.signal));

    /** Samples [start, start + rows) normalised into `out` from its row `at`, a bounded read at a time. */
    const readInto = async (out: Float32Array, at: number, start: number, rows: number) => {
      checkNormalization(normalization, size, path);
      for (let done = 0; done < rows; done += rowsPerRead) {
        const piece = Math.min(rowsPerRead, rows - done);
        normalizeRows(await readRaw(start + done, piece), normalization, size, out, (at + done) * size);
      }
    };

    const sampleRows: SampleRows = {
      source: path,
      shape,
      count,
      totalCount,
      batches: batchesOf(count, async (start, rows) => {
        const out = new Float32Array(rows * size);
        await readInto(out, 0, start, rows);
        return out;
      }),
      async read(indices) {
        const out = new Float32Array(indices.length * size);
        // Runs of consecutive indices (a range of samples) are read in one piece each.
        for (let row = 0, end = 1; row < indices.length; row = end, end = row + 1) {
          while (end < indices.length && indices[end] === indices[end - 1]! + 1) end++;
          await readInto(out, row, indices[row]!, end - row);
        }
        return out;
      },
      // A read-only handle has nothing to flush, so a failure to close it has no consequence to report.
      close: () => (closing ??= handle.close().catch(() => undefined)),
    };
    if (file.labels) sampleRows.labels = file.labels;
    return sampleRows;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The data's own normalisation, from one pass over its first `count` samples. */
async function valueRange(
  readRaw: (start: number, rows: number) => Promise<NumericArray>,
  shape: number[],
  count: number,
  rowsPerRead: number,
  where: string,
  signal?: AbortSignal,
): Promise<Normalization> {
  const range = new ValueRange(shape, where);
  for await (const { start, rows } of rowRanges(count, rowsPerRead, signal)) range.add(await readRaw(start, rows), start);
  return range.normalization();
}
