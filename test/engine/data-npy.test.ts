import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DataError } from '../../src/engine/data/dataset';
import { inspectDataset, loadDataset } from '../../src/engine/data/loadDataset';
import { encodeNpy, parseNpy } from '../../src/engine/data/readers/npy';
import { npyHeader as header, handMadeNpy as npy, rejectsWithDataError } from '../support/helpers';

const dir = mkdtempSync(join(tmpdir(), 'latent-lab-npy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function rejects(work: () => unknown, pattern: RegExp) {
  assert.throws(work, (error: unknown) => error instanceof DataError && pattern.test(error.message) && !error.message.includes('\n'));
}


test('encodeNpy writes a v1.0 float32 file that numpy-style parsing reads back exactly', () => {
  const values = Float32Array.from({ length: 24 }, (_, i) => i / 7 - 1);
  const bytes = encodeNpy(values, [2, 3, 4]);
  assert.equal(bytes.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  assert.equal((10 + bytes.readUInt16LE(8)) % 64, 0, 'data starts 64-byte aligned');
  assert.match(bytes.toString('latin1', 10, 10 + bytes.readUInt16LE(8)), /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3, 4\), \} *\n$/);
  const array = parseNpy(bytes, 'x.npy');
  assert.equal(array.dtype, 'float32');
  assert.deepEqual(array.shape, [2, 3, 4]);
  assert.deepEqual(Array.from(array.data), Array.from(values));
  assert.match(encodeNpy(new Float32Array(3), [3]).toString('latin1'), /'shape': \(3,\)/);
  assert.throws(() => encodeNpy(new Float32Array(3), [2, 2]), RangeError);
});

test('format versions 2.0 and 3.0, big-endian, bool, 64-bit ints and Python 2 longs decode', () => {
  const int16 = Buffer.alloc(6);
  [-2, 300, 7].forEach((value, i) => int16.writeInt16LE(value, i * 2));
  assert.deepEqual(Array.from(parseNpy(npy(header('<i2', '(3,)'), int16, 2), 'v2').data), [-2, 300, 7]);
  assert.deepEqual(Array.from(parseNpy(npy(header('|u1', '(2,)'), Buffer.from([1, 255]), 3), 'v3').data), [1, 255]);

  const float64 = Buffer.alloc(24);
  [1.5, -2.25, 1e300].forEach((value, i) => float64.writeDoubleBE(value, i * 8));
  const big = parseNpy(npy(header('>f8', '(1, 3)'), float64), 'be');
  assert.equal(big.dtype, 'float64');
  assert.deepEqual(Array.from(big.data), [1.5, -2.25, 1e300]);

  const bools = parseNpy(npy(header('|b1', '(4,)'), Buffer.from([0, 1, 0, 2])), 'bool');
  assert.equal(bools.dtype, 'bool');
  assert.deepEqual(Array.from(bools.data), [0, 1, 0, 1]);

  const int64 = Buffer.alloc(16);
  int64.writeBigInt64LE(-5n, 0);
  int64.writeBigInt64LE(2n ** 40n, 8);
  assert.deepEqual(Array.from(parseNpy(npy(header('<i8', '(2L,)'), int64), 'i8').data), [-5, 2 ** 40]);
  int64.writeBigInt64LE(2n ** 60n, 8);
  rejects(() => parseNpy(npy(header('<i8', '(2,)'), int64), 'huge.npy'), /huge\.npy: int64 element 1 is beyond ±2\^53/);
});

test('hostile or unsupported .npy headers are refused with a message saying what to do', () => {
  const body = Buffer.alloc(40);
  const cases: [Buffer, RegExp][] = [
    [npy(header('<f4', '(10, 10)'), body), /bad\.npy: the header declares shape \(10, 10\) of float32 = 400 bytes but 40 follow the header; the file is truncated or its header lies/],
    [npy(header('<f4', '(2,)'), body), /but 40 follow the header; the file has trailing data/],
    [npy(header('|O', '(10,)'), body), /bad\.npy: contains Python objects \(pickle\); Latent Lab never unpickles — save a numeric array/],
    [npy(header('<f4', '(2, 5)', 'True'), body), /Fortran-order.*numpy\.ascontiguousarray/],
    [npy(`{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (5,), }`, body), /structured \(record\) array/],
    [npy(header('<c8', '(5,)'), body), /dtype '<c8' is not supported; save bool, \(u\)int8\/16\/32\/64, float32 or float64/],
    [npy(header('<f4', '(-1, 10)'), body), /invalid dimension -1/],
    [npy(header('<f4', '(2.5,)'), body), /malformed \.npy header/],
    [npy(header('<f8', '(65536, 65536)'), body), /= 4294967296 elements, over the limit of 2\^31 - 1/],
    [npy(header('<f8', '(0, 99999999999999)'), body), /over the limit of 2\^31 - 1/],
    [npy(`{'descr': __import__('os').system('touch pwned'), 'fortran_order': False, 'shape': (10,), }`, body), /malformed \.npy header \(unexpected token/],
    [npy(`{'descr': '<f4', 'shape': (10,), }`, body), /lacks descr, fortran_order or shape/],
    [npy(header('<f4', '((((((((((((((((((((1,),),),),),),),),),),),),),),),),),),),)'), body), /nesting too deep/],
    [Buffer.from('PK\x03\x04 not numpy at all'), /bad\.npy: not a \.npy file/],
    [Buffer.concat([npy(header('<f4', '(10,)'), body).subarray(0, 6), Buffer.from([9, 0, 0, 0])]), /format version 9\.0 is not supported/],
    [npy(header('<f4', '(10,)'), body).subarray(0, 40), /truncated inside the \.npy header/],
  ];
  for (const [bytes, pattern] of cases) rejects(() => parseNpy(bytes, 'bad.npy'), pattern);
  const hugeHeader = Buffer.concat([Buffer.from('\x93NUMPY\x02\x00', 'latin1'), Buffer.from([0xff, 0xff, 0xff, 0xff])]);
  rejects(() => parseNpy(hugeHeader, 'bad.npy'), /claims \d+ bytes, far more than any real header/);
});

test('a lying header is refused from the file size alone, before the data is read or allocated', async () => {
  const path = file('lying.npy', npy(header('<f8', '(2147483647,)'), Buffer.alloc(16)));
  const started = Date.now();
  await rejectsWithDataError(loadDataset(path), /lying\.npy: the header declares shape \(2147483647\) of float64 = 17179869176 bytes but 16 follow the header/);
  await rejectsWithDataError(inspectDataset(path), /17179869176 bytes but 16 follow/);
  const truncated = encodeNpy(new Float32Array(100), [10, 10]);
  await rejectsWithDataError(loadDataset(file('truncated.npy', truncated.subarray(0, truncated.length - 3))), /truncated\.npy: .* 400 bytes but 397 follow the header; the file is truncated/);
  assert.ok(Date.now() - started < 1000);
});

test('a .npy of images gains a channel and is scaled by its global range', async () => {
  const values = Float32Array.from({ length: 3 * 2 * 2 }, (_, i) => i - 2);
  const dataset = await loadDataset(file('images.npy', encodeNpy(values, [3, 2, 2])));
  assert.equal(dataset.name, 'images.npy');
  assert.equal(dataset.source, join(dir, 'images.npy'));
  assert.equal(dataset.count, 3);
  assert.deepEqual(dataset.shape, [2, 2, 1]);
  assert.deepEqual(dataset.normalization, { kind: 'minmax', min: [-2], max: [9] });
  assert.deepEqual(Array.from(dataset.x), Array.from(values, (value) => Math.fround((value + 2) / 11)));
  assert.equal(dataset.labels, undefined);

  const limited = await loadDataset(join(dir, 'images.npy'), { limit: 2 });
  assert.equal(limited.count, 2);
  assert.equal(limited.x.length, 8);
  assert.deepEqual(limited.normalization.max, [5]);

  const rgb = await loadDataset(file('rgb.npy', npy(header('|u1', '(2, 1, 2, 3)'), Buffer.from([0, 51, 255, 0, 0, 0, 1, 2, 3, 4, 5, 6]))));
  assert.deepEqual(rgb.shape, [1, 2, 3]);
  assert.deepEqual(rgb.normalization, { kind: 'minmax', min: [0], max: [255] });
  assert.equal(rgb.x[2], 1);
  assert.ok(Math.abs(rgb.x[1]! - 0.2) < 1e-6);
});

test('a 2-D .npy is tabular: each feature gets its own range, a constant one a unit range', async () => {
  const table = Float32Array.from([1, 10, 5, 3, 20, 5, 2, 30, 5]);
  const dataset = await loadDataset(file('table.npy', encodeNpy(table, [3, 3])));
  assert.deepEqual(dataset.shape, [3]);
  assert.deepEqual(dataset.normalization, { kind: 'minmax', min: [1, 10, 5], max: [3, 30, 6] });
  assert.deepEqual(Array.from(dataset.x), [0, 0, 0, 1, 0.5, 0, 0.5, 1, 0]);

  const summary = await inspectDataset(join(dir, 'table.npy'));
  assert.deepEqual(summary, { format: 'npy', path: join(dir, 'table.npy'), count: 3, shape: [3], dtype: 'float32', labels: { count: 0 }, min: 1, max: 30 });
});

test('a large float .npy is scanned and scaled in pieces of whole rows, with the results of one pass', async () => {
  // 500,000 values: several pieces, with a feature's maximum and a NaN in the last.
  const [rows, features] = [5000, 100];
  const table = Float32Array.from({ length: rows * features }, (_, i) => Math.sin(i) * (1 + (i % features)));
  table[4900 * features + 7] = 1000;
  const min = Array.from({ length: features }, () => Infinity);
  const max = Array.from({ length: features }, () => -Infinity);
  table.forEach((value, i) => {
    min[i % features] = Math.min(min[i % features]!, value);
    max[i % features] = Math.max(max[i % features]!, value);
  });
  const tabular = await loadDataset(file('wide.npy', encodeNpy(table, [rows, features])));
  assert.deepEqual(tabular.normalization, { kind: 'minmax', min, max });
  assert.ok(tabular.x.every((value, i) => value === Math.fround((table[i]! - min[i % features]!) / (max[i % features]! - min[i % features]!))));
  const [low, high] = [Math.min(...min), Math.max(...max)];
  const images = await loadDataset(file('wide-images.npy', encodeNpy(table, [rows, 10, 10])));
  assert.deepEqual(images.normalization, { kind: 'minmax', min: [low], max: [high] });
  assert.ok(images.x.every((value, i) => value === Math.fround((table[i]! - low) / (high - low))));

  table[4900 * features + 3] = NaN;
  await rejectsWithDataError(loadDataset(file('wide-nan.npy', encodeNpy(table, [rows, features]))), /wide-nan\.npy: sample 4900 contains NaN/);
  await rejectsWithDataError(loadDataset(file('wide-nan-images.npy', encodeNpy(table, [rows, 10, 10]))), /wide-nan-images\.npy: sample 4900 contains NaN/);
});

test('1-D arrays, empty arrays, NaN and bad limits are refused with the reason', async () => {
  await rejectsWithDataError(loadDataset(file('flat.npy', encodeNpy(new Float32Array(5), [5]))), /flat\.npy: holds a 1-D array of shape \(5\); Latent Lab needs one row per sample/);
  await rejectsWithDataError(loadDataset(file('empty.npy', encodeNpy(new Float32Array(0), [0, 4]))), /empty\.npy: holds no samples/);
  await rejectsWithDataError(loadDataset(file('hollow.npy', encodeNpy(new Float32Array(0), [4, 0]))), /hollow\.npy: its samples are empty/);
  await rejectsWithDataError(loadDataset(file('nan.npy', encodeNpy(Float32Array.from([0, 1, 2, NaN]), [2, 2]))), /nan\.npy: sample 1 contains NaN; replace NaN and infinite values/);
  await rejectsWithDataError(inspectDataset(join(dir, 'nan.npy')), /sample 1 contains NaN/);
  await rejectsWithDataError(loadDataset(join(dir, 'table.npy'), { limit: 0 }), /limit must be a whole number of samples, at least 1/);
});
