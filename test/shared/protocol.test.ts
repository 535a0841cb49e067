import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrainParams } from '../../src/shared/protocol';
import { panelTargetSchema, withSettings } from '../../src/shared/webviewProtocol';

test('settings shape panel targets: maxPoints limits what explorers encode, eagerTraining what training compiles, timelineProbes what it records', () => {
  const params: TrainParams = { model: 'vae', data: 'sample', epochs: 2 };
  const train = { view: 'train' as const, params };
  const explore = { view: 'explore' as const, checkpoint: '/runs/vae' };
  const defaults = { maxPoints: 0, eagerTraining: false, timelineProbes: 10_000 };
  assert.deepEqual(withSettings(train, { ...defaults, maxPoints: 500 }), { view: 'train', params: { ...params, timelineProbes: 10_000 } });
  assert.deepEqual(withSettings(train, { ...defaults, eagerTraining: true, timelineProbes: 0 }), { view: 'train', params: { ...params, eager: true, timelineProbes: 0 } });
  // A re-run that names its own probes keeps them.
  assert.deepEqual(withSettings({ view: 'train', params: { ...params, timelineProbes: 50 } }, defaults), { view: 'train', params: { ...params, timelineProbes: 50 } });
  assert.deepEqual(withSettings(explore, { ...defaults, maxPoints: 500, eagerTraining: true }), { ...explore, limit: 500 });
  assert.deepEqual(withSettings(explore, defaults), explore);
  // What the host sends must still pass the webview's validation.
  assert.doesNotThrow(() => panelTargetSchema.parse(withSettings(train, { ...defaults, eagerTraining: true }), 'target'));
});
