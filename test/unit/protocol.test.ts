import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEngineMessage, parseRequest, RequestError } from '../../src/shared/protocol';

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
