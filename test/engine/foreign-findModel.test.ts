/** Recognising model folders (shared by `inspect` and Open Model…) on the real fixtures, and which kind wins when a folder holds several. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { findModel } from '../../src/engine/foreign/findModel';
import { makeForeignFixtures } from '../support/foreignFixtures';

let fixtures: string;
const scratch = mkdtempSync(path.join(tmpdir(), 'latent-lab-find-model-'));

before(async () => {
  fixtures = await makeForeignFixtures();
});
after(() => rmSync(scratch, { recursive: true, force: true }));

test('each fixture folder is recognised by what it holds', async () => {
  const tfjs = path.join(fixtures, 'tfjs', 'tutorial_full');
  assert.deepEqual(await findModel(tfjs), { format: 'tfjs-layers', modelJson: path.join(tfjs, 'model.json') });
  assert.deepEqual(await findModel(path.join(fixtures, 'savedmodel')), { format: 'savedmodel', folder: path.join(fixtures, 'savedmodel') });
  const onnx = path.join(fixtures, 'onnx_batch1');
  assert.deepEqual(await findModel(onnx), { format: 'onnx', files: [path.join(onnx, 'decoder.onnx'), path.join(onnx, 'encoder.onnx')] });
});

test('a file is recognised by its name; data and a folder of data are not models', async () => {
  const encoder = path.join(fixtures, 'onnx', 'encoder.onnx');
  assert.deepEqual(await findModel(encoder), { format: 'onnx', files: [encoder] });
  assert.deepEqual(await findModel(path.join(fixtures, 'savedmodel', 'saved_model.pb')), { format: 'savedmodel', folder: path.join(fixtures, 'savedmodel') });
  assert.equal(await findModel(path.join(fixtures, 'inputs.npy')), undefined);
  assert.equal(await findModel(fixtures), undefined, 'the fixture root holds .npy files and model folders, not a model');
  assert.equal(await findModel(path.join(scratch, 'missing')), undefined);
});

test('a checkpoint keeps priority, then a SavedModel, then a model.json, then .onnx files', async () => {
  const files = ['latent-lab.json', 'saved_model.pb', 'model.json', 'encoder.onnx'];
  const expected = [
    (folder: string) => ({ format: 'checkpoint', folder }),
    (folder: string) => ({ format: 'savedmodel', folder }),
    (folder: string) => ({ format: 'tfjs-layers', modelJson: path.join(folder, 'model.json') }),
    (folder: string) => ({ format: 'onnx', files: [path.join(folder, 'encoder.onnx')] }),
  ];
  for (let first = 0; first < files.length; first++) {
    const folder = path.join(scratch, `from-${first}`);
    mkdirSync(folder);
    for (const name of files.slice(first)) writeFileSync(path.join(folder, name), '');
    assert.deepEqual(await findModel(folder), expected[first]!(folder), files[first]);
  }
});
