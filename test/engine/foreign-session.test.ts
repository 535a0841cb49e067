/** Explorer sessions on models made elsewhere: opened like a checkpoint, decoding when they can, freeing everything on close. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { type Backend, loadBackend } from '../../src/engine/backend';
import type { RequestContext } from '../../src/shared/rpc';
import { createHandlers } from '../../src/engine/handlers';
import { assertClose, makeForeignFixtures, readReference } from '../support/foreignFixtures';

const handlers = createHandlers();
const context = (): RequestContext => ({ signal: new AbortController().signal, emit: () => undefined });
let backend: Backend;
let fixtures: string;
let data: string;

before(async () => {
  fixtures = await makeForeignFixtures();
  backend = await loadBackend();
  data = path.join(fixtures, 'inputs.npy');
});

test('a whole Keras model opens as a foreign session that decodes, and closing it frees every tensor', async () => {
  const tensors = backend.tf.memory().numTensors;
  const model = { format: 'tfjs-layers', model: path.join(fixtures, 'tfjs', 'vae_full', 'model.json'), latentLayer: 'z_mean' } as const;
  const session = await handlers.openSession({ model, data }, context());
  assert.equal(session.kind, 'foreign');
  assert.equal(session.noDecoderReason, undefined);
  assert.deepEqual(session.capabilities, { decodes: true, variational: false, adjustableK: false });
  assert.equal(session.checkpoint, model.model);
  assert.deepEqual(session.inputShape, [28, 28, 1]);
  assert.equal(session.count, 64);
  assertClose(session.latents, readReference(fixtures, 'keras_latents.npy').values, 1e-4, 'session latents');
  assert.equal(session.reconstructionError?.length, 64);
  assert.ok(session.reconstructionError!.every((error) => error >= 0 && error < 0.2), 'a trained VAE reconstructs digits');

  const reference = readReference(fixtures, 'keras_latents.npy');
  const decoded = await handlers.decode({ sessionId: session.sessionId, latents: reference.values.subarray(0, 16) }, context());
  assert.deepEqual([decoded.count, ...decoded.shape], [2, 28, 28, 1]);
  const expected = readReference(fixtures, 'keras_decoded.npy').values.subarray(0, 2 * 784);
  assert.ok(decoded.pixels.every((pixel, i) => Math.abs(pixel - Math.round(expected[i]! * 255)) <= 1), 'decoded pixels are Keras decodes');

  const shown = await handlers.samples({ sessionId: session.sessionId, indices: Int32Array.from([0, 5]) }, context());
  assert.equal(shown.reconstructions?.count, 2);
  const projected = await handlers.project({ sessionId: session.sessionId, method: 'pca' }, context());
  assert.equal(projected.coordinates.length, 128);

  assert.deepEqual(await handlers.closeSession({ sessionId: session.sessionId }, context()), { closed: true });
  assert.equal(backend.tf.memory().numTensors, tensors);
});

test('an encode-only model says why it cannot decode, in the session and in decode requests', async () => {
  const session = await handlers.openSession({ model: { format: 'tfjs-layers', model: path.join(fixtures, 'tfjs', 'skip_full', 'model.json'), latentLayer: 'code' }, data }, context());
  try {
    assert.match(session.noDecoderReason!, /skip connection/);
    assert.equal(session.capabilities.decodes, false);
    assert.equal(session.reconstructionError, undefined);
    assertClose(session.latents, readReference(fixtures, 'skip_latents.npy').values, 1e-4, 'skip latents');
    await assert.rejects(handlers.decode({ sessionId: session.sessionId, latents: new Float32Array(4) }, context()), /skip connection/);
    const shown = await handlers.samples({ sessionId: session.sessionId, indices: Int32Array.from([1]) }, context());
    assert.equal(shown.reconstructions, undefined);
  } finally {
    await handlers.closeSession({ sessionId: session.sessionId }, context());
  }
});

test('an ONNX pair opens as a session on channels-last data; a foreign model without data is refused', async () => {
  const onnx = { format: 'onnx', model: path.join(fixtures, 'onnx', 'encoder.onnx'), decoder: path.join(fixtures, 'onnx', 'decoder.onnx') } as const;
  const session = await handlers.openSession({ model: onnx, data, limit: 10 }, context());
  try {
    assert.equal(session.count, 10);
    assert.equal(session.totalCount, 64);
    assertClose(session.latents, readReference(fixtures, 'torch_latents.npy').values.subarray(0, 80), 1e-4, 'onnx session latents');
  } finally {
    await handlers.closeSession({ sessionId: session.sessionId }, context());
  }
  await assert.rejects(handlers.openSession({ model: onnx }, context()), /does not record its dataset — choose the data to explore/);
});

test('the Keras VAE as a SavedModel opens as a session with the latents Keras computed', async () => {
  const savedModel = { format: 'savedmodel', model: path.join(fixtures, 'savedmodel'), signature: 'encode', encoderOutput: 'z_mean', decoderSignature: 'decode' } as const;
  const session = await handlers.openSession({ model: savedModel, data, limit: 10 }, context());
  try {
    assert.equal(session.noDecoderReason, undefined);
    assertClose(session.latents, readReference(fixtures, 'keras_latents.npy').values.subarray(0, 80), 1e-4, 'savedmodel session latents');
    assert.equal(session.reconstructionError?.length, 10);
  } finally {
    await handlers.closeSession({ sessionId: session.sessionId }, context());
  }
});

test('modelLayers and modelSignatures list what the pickers show', async () => {
  const { layers } = await handlers.modelLayers({ model: path.join(fixtures, 'tfjs', 'skip_full', 'model.json') }, context());
  assert.deepEqual(layers.map((layer) => layer.name), ['image', 'flatten', 'hidden', 'code', 'up', 'skip', 'out', 'reshape']);
  assert.deepEqual(layers.find((layer) => layer.name === 'code')?.outputShape, [4]);
  const { graphs } = await handlers.modelSignatures({ model: path.join(fixtures, 'savedmodel') }, context());
  assert.deepEqual(graphs[0]!.signatures.map((signature) => signature.key).sort(), ['decode', 'encode', 'serving_default']);
});
