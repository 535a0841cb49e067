import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrainParams } from '../../src/shared/protocol';
import { panelTargetSchema, withSettings } from '../../src/shared/webviewProtocol';

test('settings shape panel targets: maxPoints limits what explorers encode, eagerTraining what training compiles', () => {
  const params: TrainParams = { model: 'vae', data: 'sample', epochs: 2 };
  const train = { view: 'train' as const, params };
  const explore = { view: 'explore' as const, checkpoint: '/runs/vae' };
  assert.deepEqual(withSettings(train, { maxPoints: 500, eagerTraining: false }), train);
  assert.deepEqual(withSettings(train, { maxPoints: 0, eagerTraining: true }), { view: 'train', params: { ...params, eager: true } });
  assert.deepEqual(withSettings(explore, { maxPoints: 500, eagerTraining: true }), { ...explore, limit: 500 });
  assert.deepEqual(withSettings(explore, { maxPoints: 0, eagerTraining: false }), explore);
  // What the host sends must still pass the webview's validation.
  assert.doesNotThrow(() => panelTargetSchema.parse(withSettings(train, { maxPoints: 0, eagerTraining: true }), 'target'));
});
