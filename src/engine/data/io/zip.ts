/**
 * A minimal, defensive ZIP reader for .npz archives: stored or deflated entries listed by the
 * central directory. Every offset and size is checked against the file before use, and an entry
 * is inflated as a stream that fails the moment it produces more than it declared, so a zip bomb
 * never expands past the size it claims (which is itself capped).
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';
import { type ByteSource, chain } from './bytes';
import { DataError } from '../dataset';
import { formatBytes, MAX_ZIP_ENTRIES, maxDataBytes } from '../limits';

export interface ZipEntry {
  name: string;
  method: 0 | 8;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export interface ZipArchive {
  path: string;
  entries: ZipEntry[];
  /** Entry data lies before this offset (the central directory). */
  dataEnd: number;
}

const END_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const END_BYTES = 22;
const CENTRAL_BYTES = 46;
const LOCAL_BYTES = 30;
const MAX_COMMENT = 0xffff;
/** 10,000 entries with generous names fit easily; a larger directory is hostile. */
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;
/** Deflate cannot compress better than about 1032:1. */
const MAX_DEFLATE_RATIO = 1032;

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

function zip64(path: string): DataError {
  return new DataError(`${path}: uses ZIP64 (archives or entries over 4 GiB or 65,535 entries), which Latent Lab does not read; save smaller arrays`);
}

function checkName(path: string, name: string): void {
  const parts = name.split('/');
  // Control characters would also break one-line messages that quote the name.
  if (name.startsWith('/') || /[\\\x00-\x1f]/.test(name) || /^[a-zA-Z]:/.test(name) || parts.includes('..')) {
    throw new DataError(`${path}: entry name ${JSON.stringify(name)} is absolute, escapes the archive or holds control characters; refusing the archive`);
  }
}

function findEnd(path: string, tail: Buffer): number {
  for (let at = tail.length - END_BYTES; at >= 0; at--) {
    if (tail.readUInt32LE(at) === END_SIGNATURE && at + END_BYTES + tail.readUInt16LE(at + 20) <= tail.length) return at;
  }
  throw new DataError(`${path}: not a zip archive (no end-of-central-directory record); save it with numpy.savez`);
}

function parseDirectory(path: string, directory: Buffer, count: number, dataEnd: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let at = 0;
  for (let index = 0; index < count; index++) {
    if (at + CENTRAL_BYTES > directory.length || directory.readUInt32LE(at) !== CENTRAL_SIGNATURE) {
      throw new DataError(`${path}: central directory entry ${index} is corrupt; the archive is damaged`);
    }
    const flags = directory.readUInt16LE(at + 8);
    const method = directory.readUInt16LE(at + 10);
    const crc = directory.readUInt32LE(at + 16);
    const compressedSize = directory.readUInt32LE(at + 20);
    const size = directory.readUInt32LE(at + 24);
    const nameLength = directory.readUInt16LE(at + 28);
    const skip = directory.readUInt16LE(at + 30) + directory.readUInt16LE(at + 32);
    const localHeaderOffset = directory.readUInt32LE(at + 42);
    if (at + CENTRAL_BYTES + nameLength + skip > directory.length) throw new DataError(`${path}: central directory entry ${index} runs past the directory; the archive is damaged`);
    const name = directory.toString(flags & 0x800 ? 'utf8' : 'latin1', at + CENTRAL_BYTES, at + CENTRAL_BYTES + nameLength);
    at += CENTRAL_BYTES + nameLength + skip;
    checkName(path, name);
    const where = `${path}:${name}`;
    if (names.has(name)) throw new DataError(`${where}: appears twice in the archive; refusing the ambiguous archive`);
    names.add(name);
    if (compressedSize === 0xffffffff || size === 0xffffffff || localHeaderOffset === 0xffffffff) throw zip64(path);
    if (flags & 0x1) throw new DataError(`${where}: is encrypted; save the archive without a password`);
    if (method !== 0 && method !== 8) throw new DataError(`${where}: uses compression method ${method}; only stored and deflated entries are read — save with numpy.savez or numpy.savez_compressed`);
    if (localHeaderOffset + LOCAL_BYTES + compressedSize > dataEnd) throw new DataError(`${where}: declares data beyond the end of the archive; the file is truncated or corrupt`);
    if (method === 0 ? size !== compressedSize : size > compressedSize * MAX_DEFLATE_RATIO + 1024) {
      throw new DataError(`${where}: declares ${size} bytes from ${compressedSize} stored bytes, which is impossible; the archive is corrupt or a zip bomb`);
    }
    entries.push({ name, method, crc, compressedSize, size, localHeaderOffset });
  }
  return entries;
}

/** The archive's entries, from its central directory, after checking it against the file. */
export async function readZip(path: string): Promise<ZipArchive> {
  const handle = await open(path, 'r');
  try {
    const fileSize = (await handle.stat()).size;
    const tail = await readAt(handle, Math.max(0, fileSize - END_BYTES - MAX_COMMENT), Math.min(fileSize, END_BYTES + MAX_COMMENT));
    const end = findEnd(path, tail);
    const endOffset = fileSize - tail.length + end;
    const [disk, directoryDisk, diskEntries, count] = [0, 2, 4, 6].map((field) => tail.readUInt16LE(end + 4 + field)) as [number, number, number, number];
    const directorySize = tail.readUInt32LE(end + 12);
    const directoryOffset = tail.readUInt32LE(end + 16);
    if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) throw zip64(path);
    if (disk !== 0 || directoryDisk !== 0 || diskEntries !== count) throw new DataError(`${path}: is a multi-part (spanned) zip; join it into one archive`);
    if (count > MAX_ZIP_ENTRIES) throw new DataError(`${path}: has ${count} entries, over the limit of ${MAX_ZIP_ENTRIES}; an .npz holds a few arrays`);
    if (directoryOffset + directorySize > endOffset) throw new DataError(`${path}: the central directory lies outside the file; the archive is truncated or corrupt`);
    if (directorySize > MAX_DIRECTORY_BYTES) throw new DataError(`${path}: its central directory claims ${formatBytes(directorySize)}, far more than ${MAX_ZIP_ENTRIES} entries need; the archive is corrupt`);
    const directory = await readAt(handle, directoryOffset, directorySize);
    return { path, entries: parseDirectory(path, directory, count, directoryOffset), dataEnd: directoryOffset };
  } finally {
    await handle.close();
  }
}

/** Fails the stream as soon as an entry inflates past its declared size, and checks its CRC at the end. */
function guard(where: string, entry: ZipEntry): Transform {
  let produced = 0;
  let crc = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      produced += chunk.length;
      if (produced > entry.size) {
        done(new DataError(`${where}: inflates past its declared ${entry.size} bytes; the archive is corrupt or a zip bomb`));
        return;
      }
      crc = crc32(chunk, crc);
      done(null, chunk);
    },
    flush(done) {
      if (produced !== entry.size) done(new DataError(`${where}: inflates to ${produced} bytes, not the ${entry.size} it declares; the archive is truncated or corrupt`));
      else if (crc >>> 0 !== entry.crc) done(new DataError(`${where}: CRC mismatch; the archive is corrupt — re-create it`));
      else done();
    },
  });
}

/** A stream of one entry's bytes, inflated when deflated, never larger than it declares. */
export async function entrySource(archive: ZipArchive, entry: ZipEntry): Promise<ByteSource> {
  const where = `${archive.path}:${entry.name}`;
  if (entry.size > maxDataBytes()) {
    throw new DataError(`${where}: declares ${formatBytes(entry.size)} uncompressed, over the ${formatBytes(maxDataBytes())} limit; save a smaller array or raise LATENT_LAB_MAX_DATA_BYTES`);
  }
  const handle = await open(archive.path, 'r');
  let local: Buffer;
  try {
    local = await readAt(handle, entry.localHeaderOffset, LOCAL_BYTES);
  } finally {
    await handle.close();
  }
  if (local.length < LOCAL_BYTES || local.readUInt32LE(0) !== LOCAL_SIGNATURE || local.readUInt16LE(8) !== entry.method) {
    throw new DataError(`${where}: its local header is missing or disagrees with the central directory; the archive is corrupt`);
  }
  const start = entry.localHeaderOffset + LOCAL_BYTES + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + entry.compressedSize > archive.dataEnd) throw new DataError(`${where}: its data runs past the end of the archive; the file is truncated or corrupt`);
  const openEntry = (): Readable => {
    const stored = entry.compressedSize > 0 ? createReadStream(archive.path, { start, end: start + entry.compressedSize - 1 }) : Readable.from([]);
    return entry.method === 8 ? chain(stored, createInflateRaw(), guard(where, entry)) : chain(stored, guard(where, entry));
  };
  return { where, size: entry.size, open: openEntry };
}
