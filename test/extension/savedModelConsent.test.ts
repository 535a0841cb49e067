/** The SavedModel rule every way of opening a panel applies (Open Model, a restore after reload). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { savedModelOf, savedModelVerdict } from '../../src/extension/savedModelConsent';
import type { PanelTarget } from '../../src/shared/webviewProtocol';

const folder = '/models/from-the-internet';

test('only a model target of format savedmodel runs a SavedModel', () => {
  const targets: [PanelTarget, string | undefined][] = [
    [{ view: 'model', model: { format: 'savedmodel', model: folder }, data: 'sample' }, folder],
    [{ view: 'model', model: { format: 'tfjs-layers', model: '/m/model.json' }, data: 'sample' }, undefined],
    [{ view: 'model', model: { format: 'onnx', model: '/m/encoder.onnx' }, data: 'sample' }, undefined],
    [{ view: 'explore', checkpoint: folder }, undefined],
    [{ view: 'compare', checkpoints: [folder, '/runs/b'] }, undefined],
    [{ view: 'latents', latents: '/l/latents.npy' }, undefined],
  ];
  for (const [target, expected] of targets) assert.equal(savedModelOf(target), expected, JSON.stringify(target));
});

test('an untrusted workspace refuses every SavedModel, even one the user confirmed, in one line naming it', () => {
  for (const confirmed of [new Set<string>(), new Set([folder])]) {
    const verdict = savedModelVerdict(folder, false, confirmed);
    assert.equal(verdict.action, 'refuse');
    assert.ok(verdict.action === 'refuse' && verdict.message.includes(folder) && /trusted workspace/.test(verdict.message) && !verdict.message.includes('\n'));
  }
});

test('a trusted workspace asks about the folder, naming it and saying what a SavedModel can do', () => {
  const verdict = savedModelVerdict(folder, true, new Set());
  assert.equal(verdict.action, 'confirm');
  if (verdict.action !== 'confirm') return;
  assert.equal(verdict.message, `Run the TensorFlow graph of ${folder}?`);
  assert.match(verdict.detail, /is a program: its graph can read and write files/);
});

test('a folder confirmed in this session opens without asking again; another folder still asks', () => {
  const confirmed = new Set([folder]);
  assert.deepEqual(savedModelVerdict(folder, true, confirmed), { action: 'open' });
  assert.equal(savedModelVerdict(`${folder}-copy`, true, confirmed).action, 'confirm');
});
