/** Numeric arrays as the binary formats (npy, IDX) store them, and their safe decoding. */
import { endianness } from 'node:os';
import { DataError } from './dataset';
import { MAX_ELEMENTS } from './limits';

export type DType = 'bool' | 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'int64' | 'uint64' | 'float32' | 'float64';

export type NumericArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** An n-dimensional array in C order; `shape[0]` counts samples. */
export interface RawArray {
  dtype: DType;
  shape: number[];
  data: NumericArray;
}

interface DTypeInfo {
  size: number;
  integer: boolean;
  view(buffer: ArrayBuffer, length: number): NumericArray;
}

const DTYPES: Record<DType, DTypeInfo> = {
  bool: { size: 1, integer: true, view: (buffer, length) => new Uint8Array(buffer, 0, length) },
  uint8: { size: 1, integer: true, view: (buffer, length) => new Uint8Array(buffer, 0, length) },
  int8: { size: 1, integer: true, view: (buffer, length) => new Int8Array(buffer, 0, length) },
  uint16: { size: 2, integer: true, view: (buffer, length) => new Uint16Array(buffer, 0, length) },
  int16: { size: 2, integer: true, view: (buffer, length) => new Int16Array(buffer, 0, length) },
  uint32: { size: 4, integer: true, view: (buffer, length) => new Uint32Array(buffer, 0, length) },
  int32: { size: 4, integer: true, view: (buffer, length) => new Int32Array(buffer, 0, length) },
  // 64-bit integers become float64, which is exact up to 2^53 (checked while decoding).
  int64: { size: 8, integer: true, view: (buffer, length) => Float64Array.from(new BigInt64Array(buffer, 0, length), Number) },
  uint64: { size: 8, integer: true, view: (buffer, length) => Float64Array.from(new BigUint64Array(buffer, 0, length), Number) },
  float32: { size: 4, integer: false, view: (buffer, length) => new Float32Array(buffer, 0, length) },
  float64: { size: 8, integer: false, view: (buffer, length) => new Float64Array(buffer, 0, length) },
};

export const HOST_LITTLE_ENDIAN = endianness() === 'LE';

export const itemSize = (dtype: DType): number => DTYPES[dtype].size;
export const isIntegerDType = (dtype: DType): boolean => DTYPES[dtype].integer;

/** Element count of a header-declared shape, refusing shapes no real array has. */
export function checkShape(shape: readonly number[], where: string): number {
  let elements = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      throw new DataError(`${where}: the header declares an invalid dimension ${dim} in shape (${shape.join(', ')}); the file is corrupt`);
    }
    elements *= dim;
  }
  // Checking each dimension too: a zero elsewhere must not let an absurd one through.
  if (elements > MAX_ELEMENTS || shape.some((dim) => dim > MAX_ELEMENTS)) {
    throw new DataError(`${where}: the header declares shape (${shape.join(', ')}) = ${elements} elements, over the limit of 2^31 - 1; the file is corrupt or too large — save a smaller array`);
  }
  return elements;
}

/** Copies `bytes` (a whole number of items) into a fresh, aligned typed array in host byte order. */
export function decodeArray(bytes: Uint8Array, dtype: DType, littleEndian: boolean, where: string): NumericArray {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return decodeOwnArray(copy, dtype, littleEndian, where);
}

/**
 * `decodeArray` without the copy, for bytes read into a buffer of their own (from offset 0, so
 * aligned); they are swapped in place into host byte order.
 */
export function decodeOwnArray(bytes: Uint8Array<ArrayBuffer>, dtype: DType, littleEndian: boolean, where: string): NumericArray {
  const { size, view } = DTYPES[dtype];
  if (size > 1 && littleEndian !== HOST_LITTLE_ENDIAN) {
    const swapped = Buffer.from(bytes.buffer, 0, bytes.length);
    if (size === 2) swapped.swap16();
    else if (size === 4) swapped.swap32();
    else swapped.swap64();
  }
  const data = view(bytes.buffer, bytes.length / size);
  if (dtype === 'bool') for (let i = 0; i < data.length; i++) data[i] = data[i] ? 1 : 0;
  if (size === 8 && DTYPES[dtype].integer) {
    const index = data.findIndex((value) => !Number.isSafeInteger(value));
    if (index >= 0) throw new DataError(`${where}: ${dtype} element ${index} is beyond ±2^53 and cannot be represented exactly; rescale the data`);
  }
  return data;
}

export interface Extent {
  min: number;
  max: number;
}

/**
 * Folds `data` into `extent` and refuses NaN or infinities, which would poison normalisation.
 * `offset` is the index of `data[0]` in the whole array, so errors can say which sample is bad.
 */
export function widenExtent(extent: Extent, data: ArrayLike<number>, rowSize: number, where: string, offset = 0): Extent {
  let { min, max } = extent;
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    if (value < min) min = value;
    if (value > max) max = value;
    if (!Number.isFinite(value)) {
      throw new DataError(`${where}: sample ${Math.floor((offset + i) / rowSize)} contains ${value}; replace NaN and infinite values before loading`);
    }
  }
  return { min, max };
}

export const emptyExtent = (): Extent => ({ min: Infinity, max: -Infinity });

/** Refuses label arrays that are not one integer per sample; returns the label count. */
export function checkLabelArray(dtype: DType, shape: readonly number[], where: string): number {
  if (!isIntegerDType(dtype) || dtype === 'bool') {
    throw new DataError(`${where}: labels have dtype ${dtype}; save integer class indices (e.g. labels.astype('int64'))`);
  }
  if (shape.length === 1 || (shape.length === 2 && shape[1] === 1)) return shape[0]!;
  throw new DataError(`${where}: labels have shape (${shape.join(', ')}); expected one integer per sample, shape (n,)`);
}

export function checkLabelRange(extent: Extent, where: string): void {
  if (extent.min < 0 || extent.max > 0x7fffffff) {
    throw new DataError(`${where}: labels range from ${extent.min} to ${extent.max}; class indices must be between 0 and 2^31 - 1`);
  }
}

/** Class indices from an integer label array. */
export function toLabels(array: RawArray, where: string): Int32Array {
  checkLabelArray(array.dtype, array.shape, where);
  if (array.data.length > 0) checkLabelRange(widenExtent(emptyExtent(), array.data, 1, where), where);
  return Int32Array.from(array.data);
}
