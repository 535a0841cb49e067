/** Reading the data block of a header-described array (npy, IDX) from a byte source. */
import {
  checkLabelArray,
  checkLabelRange,
  checkShape,
  decodeArray,
  decodeOwnArray,
  type DType,
  emptyExtent,
  type Extent,
  itemSize,
  type RawArray,
  toLabels,
  widenExtent,
} from '../arrays';
import { type ByteSource, readExactly, scan } from '../io/bytes';
import { DataError } from '../dataset';
import type { LabelSummary } from '../formats';
import { checkValueBudget } from '../limits';

export interface ArrayHeader {
  dtype: DType;
  littleEndian: boolean;
  shape: number[];
  /** Where the data starts in the decoded stream. */
  dataOffset: number;
}

function dataBytes(header: ArrayHeader, where: string): number {
  return checkShape(header.shape, where) * itemSize(header.dtype);
}

/** Where the stream's length is known, it must be exactly header plus declared data. */
export function checkDeclaredSize(where: string, size: number | undefined, header: ArrayHeader): void {
  if (size === undefined) return;
  const declared = dataBytes(header, where);
  const held = size - header.dataOffset;
  if (held !== declared) {
    const problem = held < declared ? 'the file is truncated or its header lies' : 'the file has trailing data or its header lies';
    throw new DataError(
      `${where}: the header declares shape (${header.shape.join(', ')}) of ${header.dtype} = ${declared} bytes but ${held} follow the header; ${problem} — re-create it`,
    );
  }
}

/** The first `limit` rows (samples) along axis 0, or all of them. */
export async function readRows(source: ByteSource, header: ArrayHeader, limit: number | undefined, signal?: AbortSignal): Promise<RawArray> {
  checkDeclaredSize(source.where, source.size, header);
  const total = dataBytes(header, source.where);
  const rowCount = header.shape[0] ?? 1;
  const rows = Math.min(rowCount, limit ?? rowCount);
  const rowBytes = rowCount > 0 ? total / rowCount : 0;
  checkValueBudget((rows * rowBytes) / itemSize(header.dtype), source.where);
  const bytes = await readExactly(source, header.dataOffset, rows * rowBytes, rows === rowCount, signal);
  const shape = header.shape.length > 0 ? [rows, ...header.shape.slice(1)] : [];
  return { dtype: header.dtype, shape, data: decodeOwnArray(bytes, header.dtype, header.littleEndian, source.where) };
}

/** Min and max of the whole data block, streamed in pieces so memory stays small. */
export async function scanExtent(source: ByteSource, header: ArrayHeader, signal?: AbortSignal): Promise<Extent> {
  checkDeclaredSize(source.where, source.size, header);
  const total = dataBytes(header, source.where);
  const size = itemSize(header.dtype);
  const rowSize = header.shape.slice(1).reduce((product, dim) => product * dim, 1);
  let extent = emptyExtent();
  let offset = 0;
  const seen = await scan(
    source,
    header.dataOffset,
    total,
    size,
    (piece) => {
      const values = decodeArray(piece, header.dtype, header.littleEndian, source.where);
      extent = widenExtent(extent, values, rowSize, source.where, offset);
      offset += values.length;
    },
    signal,
  );
  if (seen < total) {
    throw new DataError(`${source.where}: truncated — its header declares ${total} data bytes but it holds ${seen}; re-download or re-create the file`);
  }
  return extent;
}

function checkLabelCount(labels: ByteSource, header: ArrayHeader, samples: number, samplesWhere: string): void {
  const count = checkLabelArray(header.dtype, header.shape, labels.where);
  if (count !== samples) {
    throw new DataError(`${labels.where} has ${count} labels but ${samplesWhere} has ${samples} samples; use the labels that belong to these samples`);
  }
}

/** The labels of the first `limit` samples, after checking there is one per sample. */
export async function readLabels(
  labels: ByteSource,
  header: ArrayHeader,
  samples: number,
  samplesWhere: string,
  limit: number | undefined,
  signal?: AbortSignal,
): Promise<Int32Array> {
  checkLabelCount(labels, header, samples, samplesWhere);
  return toLabels(await readRows(labels, header, limit, signal), labels.where);
}

export async function scanLabels(labels: ByteSource, header: ArrayHeader, samples: number, samplesWhere: string, signal?: AbortSignal): Promise<LabelSummary> {
  checkLabelCount(labels, header, samples, samplesWhere);
  if (samples === 0) return { count: 0, classes: 0 };
  const extent = await scanExtent(labels, header, signal);
  checkLabelRange(extent, labels.where);
  return { count: samples, classes: extent.max + 1 };
}
