/**
 * IDX files (the MNIST format), plain or gzipped: a big-endian header of type code and dimensions,
 * then the data. An images file finds its labels beside it by the MNIST naming convention.
 */
import { access, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type ArrayHeader, readLabels, readRows, scanExtent, scanLabels } from './arrayFile';
import type { DType } from '../arrays';
import { type ByteSource, fileSource, gzipSource, readPrefix } from '../io/bytes';
import { DataError, type LoadOptions } from '../dataset';
import type { FormatReader, RawDataset, RawSummary, RowFile } from '../formats';

const TYPE_CODES: Record<number, DType> = { 0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

function parseIdxHeader(bytes: Uint8Array, where: string): ArrayHeader {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(`${where}: not an IDX file (its first bytes are not an IDX magic number); expected MNIST-style *-idx3-ubyte files`);
  }
  const dtype = TYPE_CODES[bytes[2]!];
  if (!dtype) throw new DataError(`${where}: IDX type code 0x${bytes[2]!.toString(16)} is unknown (0x08, 0x09, 0x0B-0x0E are defined); the file is corrupt`);
  const ndim = bytes[3]!;
  const dataOffset = 4 + 4 * ndim;
  if (ndim === 0) throw new DataError(`${where}: the IDX header declares no dimensions; the file is corrupt`);
  if (bytes.length < dataOffset) throw new DataError(`${where}: truncated inside the IDX header; re-download the file`);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, dataOffset);
  const shape = Array.from({ length: ndim }, (_, axis) => view.readUInt32BE(4 + 4 * axis));
  return { dtype, littleEndian: false, shape, dataOffset };
}

async function idxSource(path: string): Promise<ByteSource> {
  const handle = await open(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    await handle.read(magic, 0, 2, 0);
    return magic[0] === 0x1f && magic[1] === 0x8b ? gzipSource(path) : fileSource(path, (await handle.stat()).size);
  } finally {
    await handle.close();
  }
}

async function readIdxHeader(source: ByteSource, signal?: AbortSignal): Promise<ArrayHeader> {
  const ndim = (await readPrefix(source, 4, signal))[3] ?? 0;
  return parseIdxHeader(await readPrefix(source, 4 + 4 * ndim, signal), source.where);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** `train-images-idx3-ubyte[.gz]` → `train-labels-idx1-ubyte[.gz]`, either compressed or not. */
export async function labelsBeside(imagesPath: string): Promise<string | undefined> {
  const name = basename(imagesPath);
  const swapped = name.replace(/images([-._]idx)3/i, (_, separator: string) => `labels${separator}1`);
  if (swapped === name) return undefined;
  const plain = swapped.replace(/\.gz$/i, '');
  for (const candidate of new Set([swapped, plain, `${plain}.gz`])) {
    const path = join(dirname(imagesPath), candidate);
    if (await exists(path)) return path;
  }
  return undefined;
}

interface IdxPair {
  images: ByteSource;
  header: ArrayHeader;
  labels?: { source: ByteSource; header: ArrayHeader };
}

async function openPair(imagesPath: string, labelsPath: string | undefined, signal?: AbortSignal): Promise<IdxPair> {
  const images = await idxSource(imagesPath);
  const pair: IdxPair = { images, header: await readIdxHeader(images, signal) };
  if (labelsPath !== undefined) {
    const source = await idxSource(labelsPath);
    pair.labels = { source, header: await readIdxHeader(source, signal) };
  }
  return pair;
}

/** Images and, when `labelsPath` is given, their labels, which must be one per image. */
export async function readIdxPair(imagesPath: string, labelsPath: string | undefined, { limit, signal }: LoadOptions): Promise<RawDataset> {
  const { images, header, labels } = await openPair(imagesPath, labelsPath, signal);
  // Labels first: they are small, and a count mismatch should stop us before the images are read.
  const labelRows = labels && (await readLabels(labels.source, labels.header, header.shape[0]!, imagesPath, limit, signal));
  const dataset: RawDataset = { array: await readRows(images, header, limit, signal) };
  if (labelRows) dataset.labels = labelRows;
  return dataset;
}

export async function inspectIdxPair(imagesPath: string, labelsPath: string | undefined, { signal }: LoadOptions): Promise<RawSummary> {
  const { images, header, labels } = await openPair(imagesPath, labelsPath, signal);
  const summary: RawSummary = { dtype: header.dtype, shape: header.shape, ...(await scanExtent(images, header, signal)) };
  if (labels) summary.labels = await scanLabels(labels.source, labels.header, header.shape[0]!, imagesPath, signal);
  return summary;
}

/** Gzipped images must be decoded whole; plain ones are read where they lie, after their labels. */
async function idxRowFile(imagesPath: string, { limit, signal }: LoadOptions): Promise<RowFile | undefined> {
  const { images, header, labels } = await openPair(imagesPath, await labelsBeside(imagesPath), signal);
  if (images.size === undefined) return undefined;
  const file: RowFile = { path: imagesPath, header };
  if (labels) file.labels = await readLabels(labels.source, labels.header, header.shape[0]!, imagesPath, limit, signal);
  return file;
}

export const idxReader: FormatReader = {
  load: async (path, options) => readIdxPair(path, await labelsBeside(path), options),
  inspect: async (path, options) => inspectIdxPair(path, await labelsBeside(path), options),
  rowFile: idxRowFile,
};
