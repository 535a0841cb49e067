/** PyTorch models exported to ONNX (channels first) and a Keras VAE as a TF SavedModel, against their frameworks' outputs. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Backend } from '../../src/engine/backend';
import { CheckpointError } from '../../src/engine/checkpoint/errors';
import { openForeignModel } from '../../src/engine/foreign/openForeign';
import { listSignatures } from '../../src/engine/foreign/savedModel';
import { rejectsInOneLine } from '../support/helpers';
import { assertClose, assertMatchesFramework, INPUT_SHAPE, loadForeignFixtures, readReference, type Reference } from '../support/foreignFixtures';

let backend: Backend;
let fixtures: string;
let inputs: Reference;
const scratch = mkdtempSync(path.join(tmpdir(), 'latent-lab-foreign-onnx-'));

before(async () => {
  ({ backend, fixtures, inputs } = await loadForeignFixtures());
});
after(() => rmSync(scratch, { recursive: true, force: true }));

test('an ONNX encoder and decoder from PyTorch (NCHW) match PyTorch on channels-last data', async () => {
  const codec = await openForeignModel(backend, { format: 'onnx', model: path.join(fixtures, 'onnx', 'encoder.onnx'), decoder: path.join(fixtures, 'onnx', 'decoder.onnx') }, INPUT_SHAPE);
  try {
    assert.equal(codec.latentDim, 8);
    // torch_decoded.npy is PyTorch's output transposed to channels last, as the data is.
    await assertMatchesFramework(codec, fixtures, inputs, { latents: 'torch_latents.npy', decoded: 'torch_decoded.npy' });
  } finally {
    codec.dispose();
  }
});

test('an ONNX encoder and decoder exported without dynamic_axes (batch fixed at 1) encode and decode all 64 samples as PyTorch does', async () => {
  const folder = path.join(fixtures, 'onnx_batch1');
  const codec = await openForeignModel(backend, { format: 'onnx', model: path.join(folder, 'encoder.onnx'), decoder: path.join(folder, 'decoder.onnx') }, INPUT_SHAPE);
  try {
    await assertMatchesFramework(codec, fixtures, inputs, { latents: 'torch_latents.npy', decoded: 'torch_decoded.npy' });
  } finally {
    codec.dispose();
  }
});

test('an ONNX encoder with its batch fixed at 5 pads the last batch and keeps only the real rows', async () => {
  const codec = await openForeignModel(backend, { format: 'onnx', model: path.join(fixtures, 'onnx_batch5', 'encoder.onnx') }, INPUT_SHAPE);
  try {
    const expected = readReference(fixtures, 'torch_latents.npy').values;
    // 64 = 12 × 5 + 4, and 3 rows are fewer than one batch.
    assertClose(await codec.encode(inputs.values, 64), expected, 1e-4, '64 rows');
    assertClose(await codec.encode(inputs.values.subarray(0, 3 * 784), 3), expected.subarray(0, 3 * 8), 1e-4, '3 rows');
  } finally {
    codec.dispose();
  }
});

test('an ONNX encoder alone is encode-only; a file that is not ONNX is refused in one line', async () => {
  const codec = await openForeignModel(backend, { format: 'onnx', model: path.join(fixtures, 'onnx', 'encoder.onnx') }, INPUT_SHAPE);
  assert.match(codec.noDecoderReason!, /no decoder/);
  codec.dispose();
  const bogus = path.join(scratch, 'bogus.onnx');
  writeFileSync(bogus, 'not a protobuf at all');
  await rejectsInOneLine(openForeignModel(backend, { format: 'onnx', model: bogus }, INPUT_SHAPE), CheckpointError, /bogus\.onnx is not an ONNX model onnxruntime can run/);
  await rejectsInOneLine(openForeignModel(backend, { format: 'onnx', model: path.join(fixtures, 'onnx', 'encoder.onnx'), decoder: path.join(fixtures, 'onnx', 'encoder.onnx') }, INPUT_SHAPE), CheckpointError, /takes \[1, 28, 28\] but the encoder's latent has 8 values/);
});

test('the SavedModel lists its signatures and encodes and decodes as Keras does', async () => {
  const graphs = await listSignatures(backend, path.join(fixtures, 'savedmodel'));
  assert.deepEqual(graphs.map((graph) => graph.tags), [['serve']]);
  const signatures = Object.fromEntries(graphs[0]!.signatures.map((signature) => [signature.key, signature]));
  assert.deepEqual(Object.keys(signatures).sort(), ['decode', 'encode', 'serving_default']);
  assert.deepEqual(signatures.encode!.inputs, ['x']);
  assert.deepEqual(signatures.encode!.outputs.sort(), ['z_log_var', 'z_mean']);
  const before = backend.tf.memory().numTensors;
  const codec = await openForeignModel(backend, { format: 'savedmodel', model: path.join(fixtures, 'savedmodel'), signature: 'encode', encoderOutput: 'z_mean', decoderSignature: 'decode' }, INPUT_SHAPE);
  try {
    await assertMatchesFramework(codec, fixtures, inputs, { latents: 'keras_latents.npy', decoded: 'keras_decoded.npy' });
  } finally {
    codec.dispose();
  }
  assert.equal(backend.tf.memory().numTensors, before, 'closing the SavedModel frees every tensor');
});

test('a missing signature, a folder without saved_model.pb and a variables link outside the folder are refused', async () => {
  await rejectsInOneLine(openForeignModel(backend, { format: 'savedmodel', model: path.join(fixtures, 'savedmodel'), signature: 'embed' }, INPUT_SHAPE), CheckpointError, /no signature "embed" under tags serve; its signatures are/);
  await rejectsInOneLine(openForeignModel(backend, { format: 'savedmodel', model: scratch }, INPUT_SHAPE), CheckpointError, /is not a SavedModel folder/);
  const linked = path.join(scratch, 'linked');
  mkdirSync(path.join(linked, 'variables'), { recursive: true });
  copyFileSync(path.join(fixtures, 'savedmodel', 'saved_model.pb'), path.join(linked, 'saved_model.pb'));
  symlinkSync(path.join(fixtures, 'savedmodel', 'variables', 'variables.index'), path.join(linked, 'variables', 'variables.index'));
  await rejectsInOneLine(openForeignModel(backend, { format: 'savedmodel', model: linked }, INPUT_SHAPE), CheckpointError, /outside .* \(through a symbolic link\)/);
});
