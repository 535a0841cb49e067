import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEngineMessage, parseRequest, RequestError, type TrainParams } from '../../src/shared/protocol';
import { panelTargetSchema, withSettings } from '../../src/shared/webviewProtocol';

test('parseRequest accepts a well-formed request', () => {
  assert.deepEqual(parseRequest({ type: 'request', id: 4, method: 'info', params: {} }), { id: 4, method: 'info', params: {} });
});

test('parseRequest names the method of an unknown request and keeps its id', () => {
  assert.throws(
    () => parseRequest({ type: 'request', id: 9, method: 'formatDisk', params: {} }),
    (error: RequestError) => error.id === 9 && error.code === 'unknown-method' && /formatDisk/.test(error.message),
  );
});

test('parseRequest rejects bad params with the field at fault', () => {
  assert.throws(
    () => parseRequest({ type: 'request', id: 2, method: 'cancel', params: { requestId: -1 } }),
    (error: RequestError) => error.id === 2 && error.code === 'bad-request' && /cancel.params.requestId/.test(error.message),
  );
});

test('parseRequest rejects a non-object without an id', () => {
  assert.throws(() => parseRequest('hello'), (error: RequestError) => error.id === undefined && error.code === 'bad-request');
});

test('parseEngineMessage validates envelopes from the engine', () => {
  assert.equal(parseEngineMessage({ type: 'event', event: 'log', data: {} }).type, 'event');
  assert.throws(() => parseEngineMessage({ type: 'gossip' }), /message.type/);
  assert.throws(() => parseEngineMessage({ type: 'response', id: 'x', ok: true }), /response.id/);
});

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
