import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arr, literal, num, obj, oneOf, optional, SchemaError, str, tagged, typedArray } from '../../src/shared/schema';

test('obj parses valid input and drops absent optionals', () => {
  const schema = obj({ name: str(), size: num({ integer: true, min: 1 }), mode: optional(oneOf(['a', 'b'] as const)) });
  assert.deepEqual(schema.parse({ name: 'x', size: 3 }), { name: 'x', size: 3 });
  assert.deepEqual(schema.parse({ name: 'x', size: 3, mode: 'b' }), { name: 'x', size: 3, mode: 'b' });
});

test('obj rejects unknown fields, wrong types and out-of-range numbers with the field path', () => {
  const schema = obj({ inner: obj({ size: num({ integer: true, min: 1, max: 10 }) }) });
  assert.throws(() => schema.parse({ inner: { size: 11 } }), (error: SchemaError) => error.message.startsWith('inner.size: expected an integer ≥ 1 ≤ 10'));
  assert.throws(() => schema.parse({ inner: { size: 2, extra: 1 } }), /inner.extra: expected no such field/);
  assert.throws(() => schema.parse({ inner: { size: Number.NaN } }), /expected an integer/);
  assert.throws(() => schema.parse('nope'), /expected an object/);
});

test('arr and str enforce their bounds', () => {
  assert.throws(() => arr(num(), { maxLength: 2 }).parse([1, 2, 3]), /at most 2 items/);
  assert.throws(() => str({ maxLength: 3 }).parse('abcd'), /0..3 characters/);
  assert.throws(() => arr(num()).parse([1, 'x']), /\[1\]: expected a finite number/);
});

test('typedArray accepts the named typed array only', () => {
  const schema = typedArray('Float32Array', { maxLength: 4 });
  const value = new Float32Array([1, 2]);
  assert.equal(schema.parse(value), value);
  assert.throws(() => schema.parse(new Int32Array(2)), /Float32Array/);
  assert.throws(() => schema.parse(new Float32Array(5)), /at most 4/);
  assert.throws(() => schema.parse([1, 2]), /Float32Array/);
});

test('tagged picks the member by tag and names unknown tags', () => {
  const schema = tagged('kind', { a: obj({ kind: oneOf(['a'] as const), x: num() }), b: obj({ kind: oneOf(['b'] as const), y: str() }) });
  assert.deepEqual(schema.parse({ kind: 'b', y: 'hi' }), { kind: 'b', y: 'hi' });
  assert.throws(() => schema.parse({ kind: 'c' }), /\.kind: expected one of a, b/);
});

test('obj with ignoreUnknown keeps known fields and drops the rest', () => {
  const schema = obj({ kind: str() }, { ignoreUnknown: true });
  assert.deepEqual(schema.parse({ kind: 'vae', future: 1 }), { kind: 'vae' });
  assert.throws(() => schema.parse({ future: 1 }), /kind: expected a string/);
});

test("keys that Object's prototype has are no fields and no tags: they are refused, never followed", () => {
  const message = tagged('type', { ping: obj({ type: literal('ping') }) });
  for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    assert.throws(() => message.parse({ type }, 'message'), SchemaError, `tag ${type}`);
  }
  const shape = obj({ name: str() });
  assert.throws(() => shape.parse({ name: 'a', constructor: 1 }, 'value'), /value\.constructor: expected no such field/);
  assert.throws(() => shape.parse(JSON.parse('{"name": "a", "__proto__": {"polluted": true}}'), 'value'), /value\.__proto__: expected no such field/);
  assert.equal(({} as { polluted?: boolean }).polluted, undefined);
});
