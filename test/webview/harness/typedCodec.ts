/**
 * Typed arrays across the Playwright bridge, which carries JSON only: each becomes
 * {__typed, base64} on one side and the same typed array again on the other. page/bridge.js does
 * the same in the page.
 */
const constructors = { Float32Array, Float64Array, Int32Array, Uint8Array, Uint8ClampedArray } as const;
type TypedName = keyof typeof constructors;

interface Encoded {
  __typed: TypedName;
  base64: string;
}

export function encodeTyped(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    if (!(name in constructors)) throw new Error(`harness: cannot carry a ${name}`);
    return { __typed: name as TypedName, base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') } satisfies Encoded;
  }
  if (Array.isArray(value)) return value.map(encodeTyped);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, encodeTyped(entry)]));
  return value;
}

export function decodeTyped(value: unknown): unknown {
  if (isEncoded(value)) {
    const bytes = Buffer.from(value.base64, 'base64');
    // Copied into a fresh buffer: Buffer's pooled memory may be unaligned for 4-byte elements.
    const buffer = new Uint8Array(bytes).buffer;
    return new constructors[value.__typed](buffer);
  }
  if (Array.isArray(value)) return value.map(decodeTyped);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, decodeTyped(entry)]));
  return value;
}

function isEncoded(value: unknown): value is Encoded {
  return value !== null && typeof value === 'object' && typeof (value as Encoded).__typed === 'string' && (value as Encoded).__typed in constructors;
}
