/**
 * Byte streams of (possibly compressed) files, read only as far as needed. Readers peek at a
 * header first, check it, and only then read the data it declares, so neither a lying header nor a
 * compression bomb can make them allocate or inflate more than the data they actually keep.
 */
import { createReadStream } from 'node:fs';
import { addAbortSignal, type Duplex, pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DataError } from '../dataset';
import { nextTurn } from '../../eventLoop';

export interface ByteSource {
  /** Names the bytes in messages: a path, or `archive.npz:entry.npy`. */
  where: string;
  /** The decoded length when it is known before reading (plain files, zip entries). */
  size?: number;
  /** A fresh stream of the decoded bytes from the start. */
  open(): Readable;
}

/** Streams chained so that destroying the last one (a reader stopping early) tears down all. */
export function chain(first: Readable, ...rest: Duplex[]): Readable {
  if (rest.length === 0) return first;
  pipeline([first, ...rest], () => {
    // Errors surface on the last stream, where the reader sees them.
  });
  return rest[rest.length - 1]!;
}

export function fileSource(path: string, size: number): ByteSource {
  return { where: path, size, open: () => createReadStream(path) };
}

export function gzipSource(path: string): ByteSource {
  return { where: path, open: () => chain(createReadStream(path), createGunzip()) };
}

function readFailure(where: string, error: unknown): Error {
  if (error instanceof DataError || (error instanceof Error && error.name === 'AbortError')) return error;
  const { code, message } = error as NodeJS.ErrnoException;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new DataError(`${where}: the compressed data is corrupt or truncated (${message}); re-download or re-create the file`);
  }
  return new DataError(`${where}: cannot read the file (${message ?? String(error)})`);
}

/** Feeds `visit` each chunk of the stream until it returns false or the stream ends. */
export async function eachChunk(source: ByteSource, visit: (chunk: Buffer) => boolean, signal?: AbortSignal): Promise<void> {
  const stream = source.open();
  if (signal) addAbortSignal(signal, stream);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!visit(chunk)) break;
    }
  } catch (error) {
    throw readFailure(source.where, error);
  } finally {
    stream.destroy();
  }
}

/**
 * Feeds `visit` the bytes [start, start + length) in pieces that hold whole `unit`-byte items and
 * returns how many bytes of that range the stream had.
 */
export async function scan(
  source: ByteSource,
  start: number,
  length: number,
  unit: number,
  visit: (piece: Buffer) => void,
  signal?: AbortSignal,
): Promise<number> {
  const end = start + length;
  let position = 0;
  let seen = 0;
  let pending: Buffer = Buffer.alloc(0);
  await eachChunk(
    source,
    (chunk) => {
      const from = Math.max(0, start - position);
      const to = Math.min(chunk.length, end - position);
      position += chunk.length;
      if (to > from) {
        const bytes = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(from, to)]) : chunk.subarray(from, to);
        const whole = bytes.length - (bytes.length % unit);
        if (whole > 0) visit(bytes.subarray(0, whole));
        pending = bytes.subarray(whole);
        seen += to - from;
      }
      return position < end;
    },
    signal,
  );
  return seen;
}

/** Up to `length` bytes from the start; fewer when the stream is shorter. */
export async function readPrefix(source: ByteSource, length: number, signal?: AbortSignal): Promise<Buffer> {
  const pieces: Buffer[] = [];
  await scan(source, 0, length, 1, (piece) => pieces.push(piece), signal);
  return Buffer.concat(pieces);
}

/** Bytes copied between turns of the event loop while a gathered stream is put together. */
const BYTES_PER_TURN = 4 * 1024 ** 2;

/**
 * Exactly `length` bytes from `start`, in a buffer of their own (offset 0, so any typed array can
 * view it). No turn of the event loop copies them whole: a source of known size, already checked
 * against its header, is copied into place piece by piece as it streams in; one of unknown size
 * (gzip) is gathered first, so a lying header cannot make it allocate more than the stream holds,
 * and then put together with a turn between pieces. With `whole`, also proves the stream ends
 * there: one byte more means the file is not what its header says (or a decompression bomb).
 */
export async function readExactly(source: ByteSource, start: number, length: number, whole: boolean, signal?: AbortSignal): Promise<Uint8Array<ArrayBuffer>> {
  const target = source.size === undefined ? undefined : new Uint8Array(length);
  const pieces: Buffer[] = [];
  let filled = 0;
  const seen = await scan(
    source,
    start,
    whole ? length + 1 : length,
    1,
    (piece) => {
      const kept = piece.subarray(0, length - filled);
      if (target) target.set(kept, filled);
      else pieces.push(kept);
      filled += kept.length;
    },
    signal,
  );
  if (seen < length) {
    throw new DataError(`${source.where}: truncated — its header declares ${start + length} bytes but it holds ${start + seen}; re-download or re-create the file`);
  }
  if (seen > length) {
    throw new DataError(`${source.where}: holds more data than the ${start + length} bytes its header declares; the file is corrupt`);
  }
  return target ?? (await gather(pieces, length));
}

async function gather(pieces: readonly Buffer[], length: number): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new Uint8Array(length);
  let offset = 0;
  let sinceTurn = 0;
  for (const piece of pieces) {
    if (sinceTurn >= BYTES_PER_TURN) {
      await nextTurn('data');
      sinceTurn = 0;
    }
    bytes.set(piece, offset);
    offset += piece.length;
    sinceTurn += piece.length;
  }
  return bytes;
}
