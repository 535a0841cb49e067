/** NumPy .npy files (format 1.0, 2.0, 3.0): numeric dtypes in C order; never pickled objects. */
import { stat } from 'node:fs/promises';
import { type ArrayHeader, checkDeclaredSize, readRows, scanExtent } from './arrayFile';
import { decodeArray, type DType, HOST_LITTLE_ENDIAN, type RawArray } from '../arrays';
import { type ByteSource, fileSource, readPrefix } from '../io/bytes';
import { DataError } from '../dataset';
import type { FormatReader } from '../formats';
import { parsePyLiteral, PyLiteralError, type PyValue } from './pyLiteral';

const MAGIC = Buffer.from('\x93NUMPY', 'latin1');
/** Enough bytes to learn the header length in any format version. */
const PREAMBLE_BYTES = 12;
/** numpy's own headers are a few hundred bytes; anything this long is not a real header. */
const MAX_HEADER_BYTES = 1024 * 1024;

const DTYPE_CODES: Record<string, DType> = {
  b1: 'bool',
  u1: 'uint8',
  i1: 'int8',
  u2: 'uint16',
  i2: 'int16',
  u4: 'uint32',
  i4: 'int32',
  u8: 'uint64',
  i8: 'int64',
  f4: 'float32',
  f8: 'float64',
};

/** Version 1.0 stores the header length in 2 bytes, later versions in 4. */
const headerStart = (major: number): number => (major === 1 ? 10 : PREAMBLE_BYTES);

/** Byte offset where the data starts, from the magic, version and header length. */
function npyHeaderEnd(prefix: Uint8Array, where: string): number {
  if (prefix.length < 10 || !MAGIC.equals(prefix.subarray(0, MAGIC.length))) {
    throw new DataError(`${where}: not a .npy file (the \\x93NUMPY signature is missing); save arrays with numpy.save`);
  }
  const [major, minor] = [prefix[6]!, prefix[7]!];
  if (major !== 1 && major !== 2 && major !== 3) {
    throw new DataError(`${where}: .npy format version ${major}.${minor} is not supported (1.0, 2.0 and 3.0 are); re-save it with numpy.save`);
  }
  const start = headerStart(major);
  if (prefix.length < start) throw new DataError(`${where}: truncated inside the .npy header; re-create the file`);
  const view = Buffer.from(prefix.buffer, prefix.byteOffset, prefix.length);
  const end = start + (major === 1 ? view.readUInt16LE(8) : view.readUInt32LE(8));
  if (end > MAX_HEADER_BYTES) throw new DataError(`${where}: the .npy header claims ${end} bytes, far more than any real header; the file is corrupt`);
  return end;
}

function parseDescr(descr: PyValue, where: string): { dtype: DType; littleEndian: boolean } {
  if (typeof descr !== 'string') {
    throw new DataError(`${where}: holds a structured (record) array; save a plain numeric array, e.g. numpy.save(path, x.astype('float32'))`);
  }
  if (descr.includes('O')) {
    throw new DataError(`${where}: contains Python objects (pickle); Latent Lab never unpickles — save a numeric array`);
  }
  const match = /^([<>|=]?)([a-zA-Z]\d+)$/.exec(descr);
  const dtype = match ? DTYPE_CODES[match[2]!] : undefined;
  if (!match || !dtype) {
    throw new DataError(`${where}: dtype '${descr}' is not supported; save bool, (u)int8/16/32/64, float32 or float64, e.g. x.astype('float32')`);
  }
  const littleEndian = match[1] === '>' ? false : match[1] === '=' ? HOST_LITTLE_ENDIAN : true;
  return { dtype, littleEndian };
}

/** The header of a .npy whose first bytes, header included, are `bytes`. */
function parseNpyHeader(bytes: Uint8Array, where: string): ArrayHeader {
  const end = npyHeaderEnd(bytes, where);
  if (bytes.length < end) throw new DataError(`${where}: truncated inside the .npy header; re-create the file`);
  const encoding = bytes[6] === 3 ? 'utf8' : 'latin1';
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString(encoding, headerStart(bytes[6]!), end);
  let dict: PyValue;
  try {
    dict = parsePyLiteral(text);
  } catch (error) {
    if (error instanceof PyLiteralError) throw new DataError(`${where}: malformed .npy header (${error.message}); re-save the array with numpy.save`);
    throw error;
  }
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict) || !('descr' in dict) || !('fortran_order' in dict) || !('shape' in dict)) {
    throw new DataError(`${where}: the .npy header lacks descr, fortran_order or shape; re-save the array with numpy.save`);
  }
  const { dtype, littleEndian } = parseDescr(dict.descr!, where);
  if (dict.fortran_order !== false) {
    throw new DataError(`${where}: stores a Fortran-order (column-major) array; Latent Lab reads C order only — save numpy.ascontiguousarray(x)`);
  }
  const shape = dict.shape;
  if (!Array.isArray(shape) || !shape.every((dim): dim is number => typeof dim === 'number')) {
    throw new DataError(`${where}: the .npy header's shape is not a tuple of integers; the file is corrupt`);
  }
  return { dtype, littleEndian, shape, dataOffset: end };
}

/** A whole .npy file held in memory. */
export function parseNpy(buffer: Uint8Array, where: string): RawArray {
  const header = parseNpyHeader(buffer, where);
  checkDeclaredSize(where, buffer.length, header);
  return { dtype: header.dtype, shape: header.shape, data: decodeArray(buffer.subarray(header.dataOffset), header.dtype, header.littleEndian, where) };
}

/** A version 1.0 .npy of little-endian float32 or int32, header padded so the data is 64-byte aligned as numpy does. */
export function encodeNpy(data: Float32Array | Int32Array, shape: readonly number[]): Buffer {
  if (shape.reduce((product, dim) => product * dim, 1) !== data.length) {
    throw new RangeError(`encodeNpy: shape (${shape.join(', ')}) does not match ${data.length} values`);
  }
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${data instanceof Int32Array ? '<i4' : '<f4'}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const padded = dict.padEnd(Math.ceil((10 + dict.length + 1) / 64) * 64 - 10 - 1, ' ') + '\n';
  const preamble = Buffer.alloc(10);
  MAGIC.copy(preamble);
  preamble[6] = 1;
  preamble.writeUInt16LE(padded.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const bytes = Buffer.concat([preamble, Buffer.from(padded, 'latin1'), body]);
  if (!HOST_LITTLE_ENDIAN) bytes.subarray(10 + padded.length).swap32();
  return bytes;
}

/** Reads just enough of a stream for its .npy header. */
export async function readNpyHeader(source: ByteSource, signal?: AbortSignal): Promise<ArrayHeader> {
  const end = npyHeaderEnd(await readPrefix(source, PREAMBLE_BYTES, signal), source.where);
  return parseNpyHeader(await readPrefix(source, end, signal), source.where);
}

async function npyFile(path: string): Promise<ByteSource> {
  return fileSource(path, (await stat(path)).size);
}

export const npyReader: FormatReader = {
  async load(path, { limit, signal }) {
    const source = await npyFile(path);
    return { array: await readRows(source, await readNpyHeader(source, signal), limit, signal) };
  },
  async inspect(path, { signal }) {
    const source = await npyFile(path);
    const header = await readNpyHeader(source, signal);
    return { dtype: header.dtype, shape: header.shape, ...(await scanExtent(source, header, signal)) };
  },
  rowFile: async (path, { signal }) => ({ path, header: await readNpyHeader(await npyFile(path), signal) }),
};
