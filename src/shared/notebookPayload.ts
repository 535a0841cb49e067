/**
 * The notebook output's payload (MIME `application/vnd.latent-lab.latents+json`, specified in the
 * README's "Jupyter notebooks" section and written by python/latent_lab_display.py): JSON whose
 * arrays travel as base64 of little-endian bytes with their dtype and shape (70,000 latents of 32
 * dims: 12 MB, a fraction of a JSON number list). Parsing checks every field and how the fields
 * agree before anything is drawn.
 */
import type { Images } from './protocol';
import { arr, literal, num, obj, optional, type Schema, SchemaError, str } from './schema';

export const LATENTS_MIME = 'application/vnd.latent-lab.latents+json';
const PAYLOAD_VERSION = 1;

/** Above this, the covariance PCA computes in the browser (n·d² work) would keep the output blank for too long. */
const MAX_LATENT_DIM = 1024;
const MAX_THUMBNAIL_SIDE = 1024;
/** Strings in a schema need a bound; V8's own limit on a string's length (2^29 − 24) is the one that binds. */
const MAX_BASE64_CHARS = 2 ** 29;

export interface LatentMapData {
  title?: string;
  count: number;
  latentDim: number;
  /** [count, latentDim] row-major. */
  latents: Float32Array;
  labels?: Int32Array;
  labelNames?: string[];
  thumbnails?: Images;
}

/** A payload that parses but whose parts disagree or cannot be drawn; the message starts with where. */
export class PayloadError extends Error {
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'PayloadError';
  }
}

const dtypes = {
  float32: { bytes: 4, read: (view: DataView, offset: number) => view.getFloat32(offset, true) },
  int32: { bytes: 4, read: (view: DataView, offset: number) => view.getInt32(offset, true) },
  uint8: { bytes: 1, read: (view: DataView, offset: number) => view.getUint8(offset) },
};
type Dtype = keyof typeof dtypes;

interface ArrayBytes {
  shape: number[];
  bytes: Uint8Array;
}

/** `{dtype, shape, data}` with the given dtype and rank; decodes the base64 and checks its length against the shape. */
function encodedArray(dtype: Dtype, ranks: readonly number[], layout: string): Schema<ArrayBytes> {
  const fields = obj({ dtype: literal(dtype), shape: arr(num({ integer: true, min: 0, max: 2 ** 31 - 1 }), { maxLength: 8 }), data: str({ maxLength: MAX_BASE64_CHARS }) });
  return {
    description: `${dtype} array ${layout} as base64`,
    parse(value, path = '') {
      const { shape, data } = fields.parse(value, path);
      if (!ranks.includes(shape.length)) throw new PayloadError(`${path}.shape`, `expected ${layout}, got [${shape.join(', ')}]`);
      const bytes = decodeBase64(data, `${path}.data`);
      const expected = shape.reduce((product, extent) => product * extent, 1) * dtypes[dtype].bytes;
      if (bytes.length !== expected) throw new PayloadError(`${path}.data`, `${bytes.length} bytes, but shape [${shape.join(', ')}] of ${dtype} needs ${expected}`);
      return { shape, bytes };
    },
  };
}

function decodeBase64(text: string, path: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new PayloadError(path, 'is not valid base64');
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function read<T extends Float32Array | Int32Array>(Target: new (length: number) => T, dtype: Dtype, bytes: Uint8Array): T {
  const { bytes: size, read: readAt } = dtypes[dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Target(bytes.length / size);
  for (let i = 0; i < out.length; i++) out[i] = readAt(view, i * size);
  return out;
}

const payloadSchema = obj({
  version: literal(PAYLOAD_VERSION),
  title: optional(str({ maxLength: 256 })),
  latents: encodedArray('float32', [2], '[n, d]'),
  labels: optional(encodedArray('int32', [1], '[n]')),
  labelNames: optional(arr(str({ maxLength: 256 }), { maxLength: 100_000 })),
  thumbnails: optional(encodedArray('uint8', [3, 4], '[n, h, w] or [n, h, w, c]')),
});

export function parseLatentsPayload(value: unknown): LatentMapData {
  const version = (value as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > PAYLOAD_VERSION) {
    throw new PayloadError('version', `${version} is newer than this Latent Lab reads (${PAYLOAD_VERSION}); update the extension`);
  }
  const payload = payloadSchema.parse(value);
  const [count, latentDim] = payload.latents.shape as [number, number];
  if (count === 0) throw new PayloadError('latents.shape', 'no points (n = 0)');
  if (latentDim === 0) throw new PayloadError('latents.shape', 'latents of 0 dimensions (d = 0)');
  if (latentDim > MAX_LATENT_DIM) throw new PayloadError('latents.shape', `d = ${latentDim} is more than the ${MAX_LATENT_DIM} dims the notebook map projects; reduce them first`);
  const latents = read(Float32Array, 'float32', payload.latents.bytes);
  const bad = latents.findIndex((entry) => !Number.isFinite(entry));
  if (bad >= 0) throw new PayloadError('latents', `value ${latents[bad]} at point ${Math.floor(bad / latentDim)}, dim ${bad % latentDim} is not finite`);

  const data: LatentMapData = { count, latentDim, latents, ...(payload.title ? { title: payload.title } : {}) };
  if (payload.labels) data.labels = checkedLabels(read(Int32Array, 'int32', payload.labels.bytes), count, payload.labelNames);
  if (payload.labelNames) {
    if (!payload.labels) throw new PayloadError('labelNames', 'given without labels');
    data.labelNames = payload.labelNames;
  }
  if (payload.thumbnails) data.thumbnails = checkedThumbnails(payload.thumbnails, count);
  return data;
}

function checkedLabels(labels: Int32Array, count: number, names: string[] | undefined): Int32Array {
  if (labels.length !== count) throw new PayloadError('labels.shape', `${labels.length} labels for ${count} points`);
  if (names) {
    const outside = labels.findIndex((label) => label < 0 || label >= names.length);
    if (outside >= 0) throw new PayloadError('labels', `label ${labels[outside]} of point ${outside} has no name (labelNames has ${names.length})`);
  }
  return labels;
}

function checkedThumbnails({ shape, bytes }: ArrayBytes, count: number): Images {
  const [n, height, width, channels = 1] = shape as [number, number, number, number?];
  if (n !== count) throw new PayloadError('thumbnails.shape', `${n} thumbnails for ${count} points`);
  if (height < 1 || width < 1 || height > MAX_THUMBNAIL_SIDE || width > MAX_THUMBNAIL_SIDE) {
    throw new PayloadError('thumbnails.shape', `images of ${height}×${width}; each side must be 1 to ${MAX_THUMBNAIL_SIDE}`);
  }
  if (![1, 3, 4].includes(channels)) throw new PayloadError('thumbnails.shape', `${channels} channels; expected 1 (grey), 3 (RGB) or 4 (RGBA)`);
  return { pixels: bytes, shape: shape.slice(1), count };
}

/** Why a payload cannot be drawn, in one line; SchemaError and PayloadError messages already start with where. */
export function payloadProblem(error: unknown): string {
  if (error instanceof SchemaError || error instanceof PayloadError) return error.message;
  if (error instanceof SyntaxError) return `the output is not valid JSON (${error.message})`;
  return error instanceof Error ? error.message : String(error);
}
