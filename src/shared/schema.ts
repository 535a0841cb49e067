/**
 * A small runtime schema library: each schema both validates untrusted input and gives the static
 * type (`Infer`), so a message type and its check can never drift apart.
 */

export class SchemaError extends Error {
  constructor(readonly path: string, readonly expected: string, received: unknown) {
    super(`${path || 'value'}: expected ${expected}, got ${describe(received)}`);
    this.name = 'SchemaError';
  }
}

export interface Schema<T> {
  readonly description: string;
  parse(value: unknown, path?: string): T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return typeof value;
}

function schema<T>(description: string, check: (value: unknown, path: string) => T): Schema<T> {
  return { description, parse: (value, path = '') => check(value, path) };
}

export function str(options: { maxLength?: number; minLength?: number } = {}): Schema<string> {
  const maxLength = options.maxLength ?? 4096;
  const minLength = options.minLength ?? 0;
  return schema(`string of ${minLength}..${maxLength} chars`, (value, path) => {
    if (typeof value !== 'string' || value.length > maxLength || value.length < minLength) {
      throw new SchemaError(path, `a string of ${minLength}..${maxLength} characters`, value);
    }
    return value;
  });
}

export function num(options: { min?: number; max?: number; integer?: boolean } = {}): Schema<number> {
  const { min = -Infinity, max = Infinity, integer = false } = options;
  const expected = `${integer ? 'an integer' : 'a finite number'}${Number.isFinite(min) ? ` ≥ ${min}` : ''}${Number.isFinite(max) ? ` ≤ ${max}` : ''}`;
  return schema(expected, (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new SchemaError(path, expected, value);
    }
    return value;
  });
}

export function bool(): Schema<boolean> {
  return schema('a boolean', (value, path) => {
    if (typeof value !== 'boolean') throw new SchemaError(path, 'a boolean', value);
    return value;
  });
}

export function literal<const T extends string | number | boolean>(expectedValue: T): Schema<T> {
  return schema(JSON.stringify(expectedValue), (value, path) => {
    if (value !== expectedValue) throw new SchemaError(path, JSON.stringify(expectedValue), value);
    return expectedValue;
  });
}

export function oneOf<const T extends readonly string[]>(values: T): Schema<T[number]> {
  const expected = `one of ${values.join(', ')}`;
  return schema(expected, (value, path) => {
    if (typeof value !== 'string' || !values.includes(value)) throw new SchemaError(path, expected, value);
    return value as T[number];
  });
}

export function optional<T>(inner: Schema<T>): Schema<T | undefined> {
  return schema(`${inner.description} (optional)`, (value, path) => (value === undefined ? undefined : inner.parse(value, path)));
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return schema(`${inner.description} or null`, (value, path) => (value === null ? null : inner.parse(value, path)));
}

export function arr<T>(item: Schema<T>, options: { maxLength?: number } = {}): Schema<T[]> {
  const maxLength = options.maxLength ?? 1_000_000;
  return schema(`array of ${item.description}`, (value, path) => {
    if (!Array.isArray(value) || value.length > maxLength) throw new SchemaError(path, `an array of at most ${maxLength} items`, value);
    return value.map((entry, index) => item.parse(entry, `${path}[${index}]`));
  });
}

export function record<T>(valueSchema: Schema<T>, options: { maxKeys?: number } = {}): Schema<Record<string, T>> {
  const maxKeys = options.maxKeys ?? 1000;
  return schema(`record of ${valueSchema.description}`, (value, path) => {
    if (!isPlainObject(value) || Object.keys(value).length > maxKeys) throw new SchemaError(path, `an object with at most ${maxKeys} keys`, value);
    const out: Record<string, T> = {};
    // defineProperty: a "__proto__" key from JSON.parse must stay a key, not become the prototype.
    for (const [key, entry] of Object.entries(value)) Object.defineProperty(out, key, { value: valueSchema.parse(entry, `${path}.${key}`), enumerable: true, writable: true, configurable: true });
    return out;
  });
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: undefined extends Infer<S[K]> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

/**
 * Unknown keys are rejected by default: a typo in a message is a bug to surface, not data to drop.
 * `ignoreUnknown` is for reading files written by newer versions, where extra fields are expected.
 */
export function obj<S extends Shape>(shape: S, options: { ignoreUnknown?: boolean } = {}): Schema<ObjectOf<S>> & { shape: S } {
  const keys = Object.keys(shape);
  return {
    shape,
    description: `object {${keys.join(', ')}}`,
    parse(value: unknown, path = '') {
      if (!isPlainObject(value)) throw new SchemaError(path, 'an object', value);
      for (const key of options.ignoreUnknown ? [] : Object.keys(value)) {
        if (!hasOwn(shape, key)) throw new SchemaError(path ? `${path}.${key}` : key, 'no such field', value[key]);
      }
      const out: Record<string, unknown> = {};
      for (const key of keys) {
        const parsed = shape[key]!.parse(value[key], path ? `${path}.${key}` : key);
        if (parsed !== undefined) out[key] = parsed;
      }
      return out as ObjectOf<S>;
    },
  };
}

interface TypedArrays {
  Float32Array: Float32Array;
  Int32Array: Int32Array;
  Uint8Array: Uint8Array;
  Uint8ClampedArray: Uint8ClampedArray;
}
type TypedArrayName = keyof TypedArrays;
type TypedArrayOf<N extends TypedArrayName> = TypedArrays[N];

export function typedArray<N extends TypedArrayName>(name: N, options: { maxLength?: number } = {}): Schema<TypedArrayOf<N>> {
  const maxLength = options.maxLength ?? 512 * 1024 * 1024;
  return schema(name, (value, path) => {
    // Compared by name: typed arrays crossing a realm (worker, webview) fail instanceof.
    if (!ArrayBuffer.isView(value) || value.constructor.name !== name || (value as TypedArrayOf<N>).length > maxLength) {
      throw new SchemaError(path, `a ${name} of at most ${maxLength} elements`, value);
    }
    return value as TypedArrayOf<N>;
  });
}

/** Picks the member schema by a string tag field, so errors name the right variant. */
export function tagged<K extends string, M extends Record<string, Schema<unknown>>>(tag: K, members: M): Schema<Infer<M[keyof M]>> {
  const tags = Object.keys(members);
  return schema(`one of ${tags.join(', ')} by ${tag}`, (value, path) => {
    if (!isPlainObject(value)) throw new SchemaError(path, 'an object', value);
    // Own keys only: a tag such as "constructor" must not find Object's.
    const member = typeof value[tag] === 'string' && hasOwn(members, value[tag]) ? members[value[tag]] : undefined;
    if (!member) throw new SchemaError(`${path}.${tag}`, `one of ${tags.join(', ')}`, value[tag]);
    return member.parse(value, path) as Infer<M[keyof M]>;
  });
}

export function unknownValue(): Schema<unknown> {
  return schema('any value', (value) => value);
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}
