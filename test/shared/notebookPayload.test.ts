/** The notebook payload's parser (src/shared/notebookPayload.ts): what it decodes, and each way a payload is refused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLatentsPayload, payloadProblem } from '../../src/shared/notebookPayload';

function encoded(dtype: 'float32' | 'int32' | 'uint8', shape: number[], values: number[]) {
  const bytes = Buffer.from((dtype === 'float32' ? Float32Array : dtype === 'int32' ? Int32Array : Uint8Array).from(values).buffer);
  return { dtype, shape, data: bytes.toString('base64') };
}

const valid = {
  version: 1,
  title: 'three points',
  latents: encoded('float32', [3, 2], [0, 1, 2, 3, 4.5, -5]),
  labels: encoded('int32', [3], [0, 1, 1]),
  labelNames: ['cat', 'dog'],
  thumbnails: encoded('uint8', [3, 1, 2, 3], [...Array(18).keys()]),
};

test('a valid payload decodes into typed arrays and an image batch', () => {
  const data = parseLatentsPayload(valid);
  assert.equal(data.title, 'three points');
  assert.deepEqual([data.count, data.latentDim], [3, 2]);
  assert.deepEqual(Array.from(data.latents), [0, 1, 2, 3, 4.5, -5]);
  assert.deepEqual(Array.from(data.labels!), [0, 1, 1]);
  assert.deepEqual(data.labelNames, ['cat', 'dog']);
  assert.deepEqual(data.thumbnails!.shape, [1, 2, 3]);
  assert.equal(data.thumbnails!.count, 3);
  assert.equal(data.thumbnails!.pixels[17], 17);
  assert.deepEqual(Object.keys(parseLatentsPayload({ version: 1, latents: valid.latents })).sort(), ['count', 'latentDim', 'latents']);
});

test('each malformed payload is refused with one line that says where', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', null, /^value: expected an object, got null$/],
    ['unknown field', { ...valid, colors: [] }, /^colors: expected no such field, got array$/],
    ['missing latents', { version: 1 }, /^latents: expected an object, got undefined$/],
    ['old version', { ...valid, version: 0 }, /^version: expected 1, got 0$/],
    ['rank', { ...valid, latents: encoded('float32', [6], [0, 1, 2, 3, 4, 5]) }, /^latents\.shape: expected \[n, d\], got \[6\]$/],
    ['no points', { version: 1, latents: encoded('float32', [0, 2], []) }, /^latents\.shape: no points \(n = 0\)$/],
    ['too many dims', { version: 1, latents: encoded('float32', [1, 2000], Array(2000).fill(0)) }, /^latents\.shape: d = 2000 is more than the 1024 dims/],
    ['not finite', { ...valid, latents: encoded('float32', [3, 2], [0, 1, 2, NaN, 4, 5]) }, /^latents: value NaN at point 1, dim 1 is not finite$/],
    ['labels dtype', { ...valid, labels: encoded('uint8', [3], [0, 1, 1]) }, /^labels\.dtype: expected "int32", got "uint8"$/],
    ['label without a name', { ...valid, labels: encoded('int32', [3], [0, 1, 2]) }, /^labels: label 2 of point 2 has no name \(labelNames has 2\)$/],
    ['names without labels', { version: 1, latents: valid.latents, labelNames: ['cat'] }, /^labelNames: given without labels$/],
    ['thumbnail count', { ...valid, thumbnails: encoded('uint8', [2, 1, 1], [0, 0]) }, /^thumbnails\.shape: 2 thumbnails for 3 points$/],
    ['thumbnail channels', { ...valid, thumbnails: encoded('uint8', [3, 1, 1, 2], Array(6).fill(0)) }, /^thumbnails\.shape: 2 channels; expected 1 \(grey\), 3 \(RGB\) or 4 \(RGBA\)$/],
    ['thumbnail rank', { ...valid, thumbnails: encoded('uint8', [3, 4], Array(12).fill(0)) }, /^thumbnails\.shape: expected \[n, h, w\] or \[n, h, w, c\], got \[3, 4\]$/],
    ['short data', { ...valid, latents: { ...valid.latents, shape: [4, 2] } }, /^latents\.data: 24 bytes, but shape \[4, 2\] of float32 needs 32$/],
    ['base64', { ...valid, latents: { ...valid.latents, data: 'AAAA!' } }, /^latents\.data: is not valid base64$/],
  ];
  for (const [name, payload, expected] of cases) {
    assert.throws(() => parseLatentsPayload(payload), (error: unknown) => {
      const line = payloadProblem(error);
      assert.match(line, expected, name);
      assert.doesNotMatch(line, /\n/, `${name}: one line`);
      return true;
    }, name);
  }
  assert.match(payloadProblem(captured(() => JSON.parse('{"version": 1,'))), /^the output is not valid JSON \(/);
});

function captured(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the work to throw');
}
