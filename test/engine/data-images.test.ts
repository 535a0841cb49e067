import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { inspectDataset, loadDataset } from '../../src/engine/data/loadDataset';
import { resizeBilinear } from '../../src/engine/data/resize';
import { rejectsWithDataError } from '../support/helpers';

const dir = mkdtempSync(join(tmpdir(), 'latent-lab-images-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Color = (x: number, y: number) => [number, number, number];

function rgba(width: number, height: number, color: Color): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.set([...color(x, y), 255], (y * width + x) * 4);
    }
  }
  return data;
}

function png(width: number, height: number, color: Color): Buffer {
  const image = new PNG({ width, height });
  rgba(width, height, color).copy(image.data);
  return PNG.sync.write(image);
}

const jpeg = (width: number, height: number, color: Color) => encodeJpeg({ width, height, data: rgba(width, height, color) }, 95).data;
const gray = (value: number): Color => () => [value, value, value];

/** Writes `files` (path → bytes) under a fresh folder. */
function tree(name: string, files: Record<string, Buffer>): string {
  const root = join(dir, name);
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), bytes);
  }
  return root;
}


test('bilinear resize keeps flat images flat, interpolates ramps and leaves same-size input alone', () => {
  const flat = new Uint8Array(4 * 4 * 3).fill(77);
  assert.ok(resizeBilinear(flat, 4, 4, 3, 3, 5).every((value) => value === 77));
  assert.deepEqual(Array.from(resizeBilinear(Uint8Array.from([0, 100]), 2, 1, 1, 4, 1)), [0, 25, 75, 100]);
  assert.deepEqual(Array.from(resizeBilinear(Uint8Array.from([0, 40, 80, 120]), 4, 1, 1, 2, 1)), [20, 100]);
  assert.equal(resizeBilinear(flat, 4, 4, 3, 4, 4), flat);
});

test('class subfolders become sorted label names; gray images stay one channel', async () => {
  const root = tree('digits', {
    'b-ones/1.png': png(4, 4, gray(255)),
    'b-ones/2.png': png(4, 4, gray(200)),
    'a-zeros/only.png': png(8, 8, (x) => [x < 4 ? 0 : 100, x < 4 ? 0 : 100, x < 4 ? 0 : 100]),
    'a-zeros/notes.txt': Buffer.from('ignored'),
    'empty/.keep': Buffer.alloc(0),
  });
  const dataset = await loadDataset(root);
  assert.equal(dataset.name, 'digits');
  assert.equal(dataset.count, 3);
  assert.deepEqual(dataset.labelNames, ['a-zeros', 'b-ones']);
  assert.deepEqual(Array.from(dataset.labels!), [0, 1, 1]);
  assert.deepEqual(dataset.shape, [8, 8, 1], 'the first image sets the size');
  assert.deepEqual(dataset.normalization, { kind: 'minmax', min: [0], max: [255] });
  assert.equal(dataset.x[64], 1, 'a 4×4 white image upscaled stays white');
  assert.equal(dataset.x[0], 0);
  assert.ok(Math.abs(dataset.x[7]! - 100 / 255) < 1e-6);

  const small = await loadDataset(root, { imageSize: [2, 3], limit: 2 });
  assert.deepEqual(small.shape, [2, 3, 1]);
  assert.equal(small.count, 2);
  assert.deepEqual(Array.from(small.labels!), [0, 1]);

  const summary = await inspectDataset(root);
  assert.deepEqual(summary, {
    format: 'images',
    path: root,
    count: 3,
    shape: [8, 8, 1],
    dtype: 'uint8',
    labels: { count: 3, classes: 2, names: ['a-zeros', 'b-ones'] },
    min: 0,
    max: 255,
  });
});

test('one color image (a JPEG here) makes the whole set RGB; flat folders have no labels', async () => {
  const root = tree('mixed', {
    'a.png': png(6, 6, gray(10)),
    'b.jpg': jpeg(12, 12, (x) => [200, x * 10, 0]),
  });
  const dataset = await loadDataset(root);
  assert.deepEqual(dataset.shape, [6, 6, 3]);
  assert.equal(dataset.labels, undefined);
  const first = Array.from(dataset.x.subarray(0, 3), (value) => Math.round(value * 255));
  assert.deepEqual(first, [10, 10, 10]);
  const jpegPixel = Array.from(dataset.x.subarray(108, 111), (value) => Math.round(value * 255));
  assert.ok(Math.abs(jpegPixel[0]! - 200) < 8 && jpegPixel[2]! < 8, `decoded ${jpegPixel.join(',')}`);
});

test('corrupt images, unusable folders and escaping symlinks are refused, naming the file', async () => {
  const corrupt = tree('corrupt', { 'good.png': png(2, 2, gray(1)), 'bad.png': png(2, 2, gray(1)).subarray(0, 40) });
  await rejectsWithDataError(loadDataset(corrupt), new RegExp(`${join(corrupt, 'bad.png')}: cannot decode the image \\(.+\\); re-save or remove it`));
  const notImage = tree('not-image', { 'a.png': Buffer.from('GIF89a pretending') });
  await rejectsWithDataError(loadDataset(notImage), /a\.png: cannot decode the image \(it is neither PNG nor JPEG\)/);
  const bomb = png(2, 2, gray(1));
  bomb.writeUInt32BE(100_000, 16);
  bomb.writeUInt32BE(100_000, 20);
  await rejectsWithDataError(loadDataset(tree('bomb', { 'big.png': bomb })), /big\.png: cannot decode the image \(it declares 100000×100000 pixels, over 64 megapixels\)/);
  await rejectsWithDataError(loadDataset(tree('mixes', { 'a.png': png(2, 2, gray(1)), 'cls/b.png': png(2, 2, gray(1)) })), /mixes: mixes images with class subfolders/);
  await rejectsWithDataError(loadDataset(tree('no-images', { 'readme.md': Buffer.from('#') })), /no-images: holds no PNG or JPEG images/);
  await rejectsWithDataError(loadDataset(corrupt, { imageSize: [0, 5] }), /corrupt: image size 0×5 is not usable; choose positive whole numbers/);

  const outside = tree('outside', { 'secret.png': png(2, 2, gray(9)) });
  const escaping = tree('escaping', { 'cls/a.png': png(2, 2, gray(1)) });
  symlinkSync(outside, join(escaping, 'linked-class'));
  await rejectsWithDataError(loadDataset(escaping), new RegExp(`${join(escaping, 'linked-class')}: is a symbolic link to ${outside}, outside the dataset folder`));
  const escapingFile = tree('escaping-file', { 'cls/a.png': png(2, 2, gray(1)) });
  symlinkSync(join(outside, 'secret.png'), join(escapingFile, 'cls', 'b.png'));
  await rejectsWithDataError(inspectDataset(escapingFile), /b\.png: is a symbolic link to .*secret\.png, outside the dataset folder/);
  const inside = tree('inside', { 'cls/a.png': png(2, 2, gray(1)) });
  symlinkSync(join(inside, 'cls', 'a.png'), join(inside, 'cls', 'b.png'));
  assert.equal((await loadDataset(inside)).count, 2, 'links within the folder are fine');
});

test('paths that do not exist or are no known format say so', async () => {
  await rejectsWithDataError(loadDataset(join(dir, 'missing')), /missing: no such file or folder; check the path, or use "sample"/);
  await rejectsWithDataError(inspectDataset(join(dir, 'missing.npy')), /missing\.npy: no such file or folder/);
  const unknown = tree('unknown', { 'data.parquet': Buffer.from('PAR1') });
  await rejectsWithDataError(loadDataset(join(unknown, 'data.parquet')), /data\.parquet: unknown dataset format; supported: sample, a folder of PNG\/JPEG images, \.npy, \.npz, \.csv, or MNIST-style IDX/);
});
