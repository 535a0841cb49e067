/** Keras models converted by tensorflowjs_converter: layer listing, the bottleneck cut, separate parts, hostile files. */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Backend } from '../../src/engine/backend';
import { CheckpointError } from '../../src/engine/checkpoint/errors';
import { DataError } from '../../src/engine/data/dataset';
import { openForeignModel } from '../../src/engine/foreign/openForeign';
import { listLayers } from '../../src/engine/foreign/tfjsLayers';
import type { ForeignModelSpec } from '../../src/shared/foreignModel';
import { rejectsInOneLine } from '../support/helpers';
import { assertClose, assertMatchesFramework, INPUT_SHAPE, loadForeignFixtures, readReference, type Reference } from '../support/foreignFixtures';

let backend: Backend;
let fixtures: string;
let inputs: Reference;
const scratch = mkdtempSync(path.join(tmpdir(), 'latent-lab-foreign-tfjs-'));
const modelJson = (name: string) => path.join(fixtures, 'tfjs', name, 'model.json');

before(async () => {
  ({ backend, fixtures, inputs } = await loadForeignFixtures());
});
after(() => rmSync(scratch, { recursive: true, force: true }));

test('the layer listing shows the Keras layer names and output shapes', async () => {
  const layers = await listLayers(backend.tf, modelJson('vae_full'));
  assert.deepEqual(
    layers.map(({ name, outputShape }) => [name, outputShape]),
    [
      ['image', [28, 28, 1]],
      ['flatten', [784]],
      ['enc_hidden', [256]],
      ['z_mean', [8]],
      ['dec_hidden', [256]],
      ['dec_out', [784]],
      ['dec_reshape', [28, 28, 1]],
    ],
  );
  assert.equal(layers[3]!.className, 'Dense');
});

test('a whole autoencoder cut at its bottleneck encodes and decodes as Keras does', async () => {
  const before = backend.tf.memory().numTensors;
  const codec = await openForeignModel(backend, { format: 'tfjs-layers', model: modelJson('vae_full'), latentLayer: 'z_mean' }, INPUT_SHAPE);
  try {
    assert.equal(codec.latentDim, 8);
    assert.equal(codec.noDecoderReason, undefined);
    const latents = await codec.encode(inputs.values, inputs.shape[0]!);
    assertClose(latents, readReference(fixtures, 'keras_latents.npy').values, 1e-4, 'latents');
    const reference = readReference(fixtures, 'keras_latents.npy');
    assertClose(await codec.decode!(reference.values, reference.shape[0]!), readReference(fixtures, 'keras_decoded.npy').values, 1e-4, 'decoded');
  } finally {
    codec.dispose();
  }
  assert.equal(backend.tf.memory().numTensors, before, 'closing the model frees every tensor');
});

test('separate encoder and decoder files give the same latents and decodes', async () => {
  const before = backend.tf.memory().numTensors;
  const codec = await openForeignModel(backend, { format: 'tfjs-layers', model: modelJson('vae_encoder'), decoder: modelJson('vae_decoder') }, INPUT_SHAPE);
  try {
    await assertMatchesFramework(codec, fixtures, inputs, { latents: 'keras_latents.npy', decoded: 'keras_decoded.npy' });
  } finally {
    codec.dispose();
  }
  assert.equal(backend.tf.memory().numTensors, before);
});

test('a Keras model that takes [28, 28] (the TensorFlow tutorial) encodes [28, 28, 1] images and decodes its [28, 28] outputs back to them', async () => {
  const before = backend.tf.memory().numTensors;
  const codec = await openForeignModel(backend, { format: 'tfjs-layers', model: modelJson('tutorial_full'), latentLayer: 'code' }, INPUT_SHAPE);
  try {
    assert.deepEqual(codec.sampleShape, INPUT_SHAPE);
    await assertMatchesFramework(codec, fixtures, inputs, { latents: 'tutorial_latents.npy', decoded: 'tutorial_decoded.npy' });
  } finally {
    codec.dispose();
  }
  assert.equal(backend.tf.memory().numTensors, before);
});

test('a model that takes [28, 28, 1] encodes samples without a channel axis ([28, 28], as a .npy may hold them)', async () => {
  const codec = await openForeignModel(backend, { format: 'tfjs-layers', model: modelJson('vae_full'), latentLayer: 'z_mean' }, [28, 28]);
  try {
    assertClose(await codec.encode(inputs.values, inputs.shape[0]!), readReference(fixtures, 'keras_latents.npy').values, 1e-4, 'latents');
  } finally {
    codec.dispose();
  }
});

test('the encoder output can be picked by name', async () => {
  const spec: ForeignModelSpec = { format: 'tfjs-layers', model: modelJson('vae_encoder'), encoderOutput: 'z_log_var' };
  const codec = await openForeignModel(backend, spec, INPUT_SHAPE);
  try {
    const latents = await codec.encode(inputs.values, inputs.shape[0]!);
    assert.notDeepEqual(Array.from(latents.subarray(0, 8)), Array.from(readReference(fixtures, 'keras_latents.npy').values.subarray(0, 8)));
    assert.match(codec.noDecoderReason ?? '', /no decoder/);
  } finally {
    codec.dispose();
  }
  await rejectsInOneLine(openForeignModel(backend, { ...spec, encoderOutput: 'nope' }, INPUT_SHAPE), CheckpointError, /no output "nope"; its outputs are z_mean, z_log_var/);
});

test('a skip connection around the bottleneck gives an encode-only model that says why', async () => {
  const before = backend.tf.memory().numTensors;
  const codec = await openForeignModel(backend, { format: 'tfjs-layers', model: modelJson('skip_full'), latentLayer: 'code' }, INPUT_SHAPE);
  try {
    assert.equal(codec.decode, undefined);
    assert.match(codec.noDecoderReason!, /after "code" also read "hidden".*skip connection/);
    assertClose(await codec.encode(inputs.values, inputs.shape[0]!), readReference(fixtures, 'skip_latents.npy').values, 1e-4, 'skip latents');
  } finally {
    codec.dispose();
  }
  assert.equal(backend.tf.memory().numTensors, before);
});

test('an input range maps the [0, 1] data onto the range the model was trained on', async () => {
  const spec = { format: 'tfjs-layers', model: modelJson('vae_full'), latentLayer: 'z_mean' } as const;
  const ranged = await openForeignModel(backend, { ...spec, input: { min: -1, max: 1 } }, INPUT_SHAPE);
  const plain = await openForeignModel(backend, spec, INPUT_SHAPE);
  try {
    const rows = inputs.shape[0]!;
    const expected = await plain.encode(inputs.values.map((value) => value * 2 - 1), rows);
    assertClose(await ranged.encode(inputs.values, rows), expected, 1e-6, 'latents of the rescaled inputs');
  } finally {
    ranged.dispose();
    plain.dispose();
  }
});

test('an unknown latent layer is refused with the layers it has', async () => {
  const before = backend.tf.memory().numTensors;
  await rejectsInOneLine(
    openForeignModel(backend, { format: 'tfjs-layers', model: modelJson('vae_full'), latentLayer: 'bottleneck' }, INPUT_SHAPE),
    CheckpointError,
    /has no layer "bottleneck"; its layers are image, flatten, enc_hidden, z_mean, dec_hidden, dec_out, dec_reshape/,
  );
  assert.equal(backend.tf.memory().numTensors, before, 'a refused model leaves no tensors behind');
});

test('a manifest whose weight path leaves the folder is refused before reading', async () => {
  const folder = path.join(scratch, 'escape');
  cpSync(path.dirname(modelJson('vae_encoder')), folder, { recursive: true });
  const json = JSON.parse(readFileSync(path.join(folder, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
  json.weightsManifest[0]!.paths = ['../../etc/passwd'];
  writeFileSync(path.join(folder, 'model.json'), JSON.stringify(json));
  await rejectsInOneLine(openForeignModel(backend, { format: 'tfjs-layers', model: path.join(folder, 'model.json') }, INPUT_SHAPE), CheckpointError, /"\.\.\/\.\.\/etc\/passwd", which is not a plain relative path/);
});

test('data whose samples do not fit the model input is refused with both shapes', async () => {
  await rejectsInOneLine(
    openForeignModel(backend, { format: 'tfjs-layers', model: modelJson('vae_full'), latentLayer: 'z_mean' }, [8, 8, 1]),
    DataError,
    /takes samples of shape \[28, 28, 1\] but the data's samples are \[8, 8, 1\], which do not fit/,
  );
  // Only an axis of size 1 may be dropped: three channels are not a grey image.
  await rejectsInOneLine(
    openForeignModel(backend, { format: 'tfjs-layers', model: modelJson('tutorial_full'), latentLayer: 'code' }, [28, 28, 3]),
    DataError,
    /takes samples of shape \[28, 28\] but the data's samples are \[28, 28, 3\], which do not fit/,
  );
});
