import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { loadBackend, type Tf } from '../../src/engine/backend';
import { isCheckpointFolder, loadCheckpoint, saveCheckpoint } from '../../src/engine/checkpoint/checkpoint';
import { disposeModelParts } from '../../src/engine/models/modelKind';
import { describeCheckpoint, describeModelJson } from '../../src/engine/checkpoint/describe';
import { CheckpointError } from '../../src/engine/checkpoint/errors';
import { folderLoader } from '../../src/engine/checkpoint/folderIO';
import type { CheckpointMetaInput } from '../../src/engine/checkpoint/meta';
import type { ModelParts } from '../../src/engine/models/modelKind';

let tf: Tf;
let scratch: string;
let counter = 0;

before(async () => {
  ({ tf } = await loadBackend());
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'latent-lab-checkpoint-'));
});

after(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

/** A fresh folder inside the scratch area; the checkpoint goes to `<folder>/ckpt`. */
async function freshDir(): Promise<string> {
  const dir = path.join(scratch, `case-${counter++}`);
  await fs.mkdir(dir);
  return path.join(dir, 'ckpt');
}

function denseParts(): ModelParts {
  const encoder = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [6], units: 4, activation: 'relu' }), tf.layers.dense({ units: 2 })],
  });
  const decoder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 6, activation: 'sigmoid' })] });
  return { encoder, decoder, extraVariables: {} };
}

function convParts(): ModelParts {
  const encoder = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3 }),
    ],
  });
  const decoder = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [3], units: 64 }),
      tf.layers.reshape({ targetShape: [4, 4, 4] }),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }),
    ],
  });
  return { encoder, decoder, extraVariables: {} };
}

function metaInput(inputShape = [6], latentDim = 2): CheckpointMetaInput {
  return {
    kind: 'ae',
    config: { hidden: [4] },
    inputShape,
    latentDim,
    normalization: { kind: 'minmax', min: [0], max: [255] },
    labelNames: ['zero', 'one'],
    dataset: { name: 'sample', source: 'sample', count: 10 },
    metrics: { loss: 0.25 },
    history: [
      { epoch: 0, loss: 0.5, recon: 0.4 },
      { epoch: 1, loss: 0.25, recon: 0.2 },
    ],
    epoch: 1,
  };
}

function predict(model: LayersModel, x: Tensor): Float32Array {
  return tf.tidy(() => (model.predict(x) as Tensor).dataSync() as Float32Array);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function assertSameWeights(a: LayersModel, b: LayersModel): void {
  const wa = a.getWeights();
  const wb = b.getWeights();
  assert.equal(wa.length, wb.length);
  wa.forEach((weight, i) => {
    assert.deepEqual(weight.shape, wb[i]!.shape);
    assert.equal(maxAbsDiff(weight.dataSync(), wb[i]!.dataSync()), 0);
  });
}

/** Same predictions (exactly) and weights for both models of two checkpoints' parts. */
function assertSameParts(a: ModelParts, b: ModelParts, encoderInput: Tensor, latent: Tensor): void {
  assert.equal(maxAbsDiff(predict(a.encoder, encoderInput), predict(b.encoder, encoderInput)), 0);
  assert.equal(maxAbsDiff(predict(a.decoder, latent), predict(b.decoder, latent)), 0);
  assertSameWeights(a.encoder, b.encoder);
  assertSameWeights(a.decoder, b.decoder);
}

async function siblings(dir: string): Promise<string[]> {
  return (await fs.readdir(path.dirname(dir))).sort();
}

async function assertRefused(action: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  const before = tf.memory().numTensors;
  await assert.rejects(action, (error: unknown) => {
    assert.ok(error instanceof CheckpointError, `expected a CheckpointError, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'), 'the message is one line');
    return true;
  });
  assert.equal(tf.memory().numTensors, before, 'a refused load leaks no tensors');
}

describe('checkpoint save and load', () => {
  test('a dense encoder/decoder round-trips with identical predictions, weights and metadata', async () => {
    const dir = await freshDir();
    const parts = denseParts();
    const saved = await saveCheckpoint(tf, dir, parts, metaInput());
    assert.deepEqual((await fs.readdir(dir)).sort(), ['decoder', 'encoder', 'latent-lab.json']);
    assert.deepEqual((await fs.readdir(path.join(dir, 'encoder'))).sort(), ['model.json', 'weights.bin']);
    assert.deepEqual(await siblings(dir), ['ckpt']);

    const loaded = await loadCheckpoint(tf, dir);
    const x = tf.randomUniform([5, 6], 0, 1, 'float32', 1);
    const z = tf.randomNormal([5, 2], 0, 1, 'float32', 2);
    assertSameParts(parts, loaded.parts, x, z);
    assert.deepEqual(loaded.meta, saved);
    assert.equal(loaded.meta.format, 'latent-lab-checkpoint');
    assert.equal(loaded.meta.backend, tf.getBackend());
    assert.deepEqual(loaded.meta.history, metaInput().history);
    assert.deepEqual(loaded.parts.extraVariables, {});
    tf.dispose([x, z]);
    disposeModelParts(loaded.parts);
    disposeModelParts(parts);
  });

  test('a conv2d / conv2dTranspose model round-trips exactly', async () => {
    const dir = await freshDir();
    const parts = convParts();
    await saveCheckpoint(tf, dir, parts, metaInput([8, 8, 1], 3));
    const loaded = await loadCheckpoint(tf, path.join(dir, 'latent-lab.json'));
    const x = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 3);
    const z = tf.randomNormal([3, 3], 0, 1, 'float32', 4);
    assertSameParts(parts, loaded.parts, x, z);
    tf.dispose([x, z]);
    disposeModelParts(loaded.parts);
    disposeModelParts(parts);
  });

  test('extra variables (a codebook) round-trip through extra.bin', async () => {
    const dir = await freshDir();
    const parts = denseParts();
    parts.extraVariables = {
      codebook: tf.variable(tf.randomNormal([5, 3], 0, 1, 'float32', 5)),
      scale: tf.variable(tf.tensor1d([0.5, -2])),
    };
    const saved = await saveCheckpoint(tf, dir, parts, metaInput());
    assert.deepEqual(saved.extra, [
      { name: 'codebook', shape: [5, 3], dtype: 'float32', byteOffset: 0 },
      { name: 'scale', shape: [2], dtype: 'float32', byteOffset: 60 },
    ]);
    assert.equal((await fs.stat(path.join(dir, 'extra.bin'))).size, 68);
    const loaded = await loadCheckpoint(tf, dir);
    assert.deepEqual(Object.keys(loaded.parts.extraVariables), ['codebook', 'scale']);
    for (const [name, variable] of Object.entries(parts.extraVariables)) {
      const copy = loaded.parts.extraVariables[name]!;
      assert.deepEqual(copy.shape, variable.shape);
      assert.equal(maxAbsDiff(copy.dataSync(), variable.dataSync()), 0);
      assert.equal(copy.trainable, true);
    }
    disposeModelParts(loaded.parts);
    disposeModelParts(parts);
  });

  test('a second save replaces the checkpoint and leaves no temp or old folders', async () => {
    const dir = await freshDir();
    const first = denseParts();
    const second = denseParts();
    await saveCheckpoint(tf, dir, first, metaInput());
    await saveCheckpoint(tf, dir, second, { ...metaInput(), epoch: 2 });
    assert.deepEqual(await siblings(dir), ['ckpt']);
    const loaded = await loadCheckpoint(tf, dir);
    assert.equal(loaded.meta.epoch, 2);
    const x = tf.randomUniform([4, 6], 0, 1, 'float32', 6);
    const z = tf.randomNormal([4, 2], 0, 1, 'float32', 7);
    assertSameParts(second, loaded.parts, x, z);
    tf.dispose([x, z]);
    [loaded.parts, first, second].forEach(disposeModelParts);
  });

  test('a save that fails midway keeps the previous checkpoint loadable and cleans up', async () => {
    const dir = await freshDir();
    const good = denseParts();
    await saveCheckpoint(tf, dir, good, metaInput());

    const failing = denseParts();
    failing.decoder.save = async () => {
      throw new Error('disk full (injected)');
    };
    await assertRefused(() => saveCheckpoint(tf, dir, failing, { ...metaInput(), epoch: 9 }), /cannot save the checkpoint .*ckpt \(disk full \(injected\)\); check that the folder is writable/);

    const diverged = denseParts();
    tf.tidy(() => diverged.encoder.setWeights(diverged.encoder.getWeights().map((w, i) => (i === 0 ? tf.fill(w.shape, Number.NaN) : w))));
    await assertRefused(() => saveCheckpoint(tf, dir, diverged, metaInput()), /weights\.bin: weight ".*kernel" holds NaN at index 0/);

    const badMeta = { ...metaInput(), metrics: { loss: Number.NaN } };
    await assertRefused(() => saveCheckpoint(tf, dir, good, badMeta), /latent-lab\.json: metrics\.loss: expected a finite number, got NaN/);

    assert.deepEqual(await siblings(dir), ['ckpt']);
    const loaded = await loadCheckpoint(tf, dir);
    assert.equal(loaded.meta.epoch, 1);
    const x = tf.randomUniform([2, 6], 0, 1, 'float32', 8);
    const z = tf.randomNormal([2, 2], 0, 1, 'float32', 9);
    assertSameParts(good, loaded.parts, x, z);
    tf.dispose([x, z]);
    [loaded.parts, good, failing, diverged].forEach(disposeModelParts);
  });

  test('a folder that is not a checkpoint is never overwritten; an empty one is used', async () => {
    const dir = await freshDir();
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'notes.txt'), 'mine');
    const parts = denseParts();
    await assertRefused(() => saveCheckpoint(tf, dir, parts, metaInput()), /already exists and is not a Latent Lab checkpoint/);
    assert.equal(await fs.readFile(path.join(dir, 'notes.txt'), 'utf8'), 'mine');
    assert.equal(await isCheckpointFolder(dir), false);

    const empty = await freshDir();
    await fs.mkdir(empty);
    await saveCheckpoint(tf, empty, parts, metaInput());
    assert.equal(await isCheckpointFolder(empty), true);
    disposeModelParts(parts);
  });

  test('load + dispose and describeCheckpoint leave tf.memory().numTensors flat', async () => {
    const dir = await freshDir();
    const parts = convParts();
    parts.extraVariables = { codebook: tf.variable(tf.zeros([4, 2])) };
    await saveCheckpoint(tf, dir, parts, metaInput([8, 8, 1], 3));
    const before = tf.memory().numTensors;
    disposeModelParts((await loadCheckpoint(tf, dir)).parts);
    assert.equal(tf.memory().numTensors, before);

    const summary = await describeCheckpoint(tf, dir);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(summary.kind, 'ae');
    assert.deepEqual(summary.inputShape, [8, 8, 1]);
    assert.equal(summary.latentDim, 3);
    assert.equal(summary.epoch, 1);
    assert.deepEqual(summary.metrics, { loss: 0.25 });
    assert.deepEqual(summary.labelNames, ['zero', 'one']);
    assert.equal(summary.params, parts.encoder.countParams() + parts.decoder.countParams() + 8);
    assert.deepEqual(
      summary.layers.encoder.map((layer) => layer.className),
      parts.encoder.layers.map((layer) => layer.getClassName()),
    );
    assert.deepEqual(summary.layers.decoder.at(-1), { name: parts.decoder.layers.at(-1)!.name, className: 'Conv2DTranspose', outputShape: [null, 8, 8, 1] });

    const modelSummary = await describeModelJson(tf, path.join(dir, 'decoder', 'model.json'));
    assert.equal(tf.memory().numTensors, before);
    assert.equal(modelSummary.params, parts.decoder.countParams());
    assert.equal(modelSummary.convertedBy, null);
    assert.match(modelSummary.generatedBy ?? '', /tfjs-layers/);
    disposeModelParts(parts);
  });
});

describe('folderLoader on converter-style folders', () => {
  test('weights split over several shards and groups load in manifest order', async () => {
    const dir = await freshDir();
    const parts = denseParts();
    await saveCheckpoint(tf, dir, parts, metaInput());
    const folder = path.join(dir, 'encoder');
    const modelJson = JSON.parse(await fs.readFile(path.join(folder, 'model.json'), 'utf8'));
    const [specs] = modelJson.weightsManifest.map((group: { weights: unknown[] }) => group.weights);
    const bytes = await fs.readFile(path.join(folder, 'weights.bin'));
    // kernel [6,4] (96 bytes) + bias [4] (16 bytes) in group 1, split mid-tensor; the rest in group 2.
    await fs.writeFile(path.join(folder, 'group1-shard1of2.bin'), bytes.subarray(0, 50));
    await fs.writeFile(path.join(folder, 'group1-shard2of2.bin'), bytes.subarray(50, 112));
    await fs.writeFile(path.join(folder, 'group2-shard1of1.bin'), bytes.subarray(112));
    await fs.rm(path.join(folder, 'weights.bin'));
    modelJson.weightsManifest = [
      { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: specs.slice(0, 2) },
      { paths: ['group2-shard1of1.bin'], weights: specs.slice(2) },
    ];
    modelJson.convertedBy = 'TensorFlow.js Converter v4.22.0';
    await fs.writeFile(path.join(folder, 'converted.json'), JSON.stringify(modelJson));
    await fs.rm(path.join(folder, 'model.json'));

    const model = await tf.loadLayersModel(folderLoader(folder, 'converted.json'));
    const x = tf.randomUniform([3, 6], 0, 1, 'float32', 10);
    assert.equal(maxAbsDiff(predict(parts.encoder, x), predict(model, x)), 0);
    const summary = await describeModelJson(tf, path.join(folder, 'converted.json'));
    assert.equal(summary.convertedBy, 'TensorFlow.js Converter v4.22.0');
    assert.deepEqual(
      summary.layers.map((layer) => layer.outputShape),
      [[null, 4], [null, 2]],
    );
    x.dispose();
    model.dispose();
    disposeModelParts(parts);
  });
});

describe('hostile checkpoints are refused with a CheckpointError', () => {
  let pristine: string;
  let outside: string;

  before(async () => {
    pristine = await freshDir();
    const parts = denseParts();
    parts.extraVariables = { codebook: tf.variable(tf.ones([3, 2])) };
    await saveCheckpoint(tf, pristine, parts, metaInput());
    disposeModelParts(parts);
    outside = path.join(path.dirname(pristine), 'outside.bin');
    await fs.copyFile(path.join(pristine, 'encoder', 'weights.bin'), outside);
  });

  /** A copy of the pristine checkpoint beside it (so `../outside.bin` would exist), then `damage`. */
  async function damaged(damage: (dir: string) => Promise<void>): Promise<string> {
    const dir = path.join(path.dirname(pristine), `copy-${counter++}`);
    await fs.cp(pristine, dir, { recursive: true });
    await damage(dir);
    return dir;
  }

  async function editJson(file: string, edit: (json: Record<string, any>) => void): Promise<void> {
    const json = JSON.parse(await fs.readFile(file, 'utf8'));
    edit(json);
    await fs.writeFile(file, JSON.stringify(json));
  }

  const encoderJson = (dir: string) => path.join(dir, 'encoder', 'model.json');
  const encoderWeights = (dir: string) => path.join(dir, 'encoder', 'weights.bin');

  const cases: Array<[string, (dir: string) => Promise<void>, RegExp]> = [
    [
      'weight path ../outside.bin',
      (dir) => editJson(encoderJson(dir), (json) => void (json.weightsManifest[0].paths = ['../outside.bin'])),
      /model\.json names the file "\.\.\/outside\.bin", which is not a plain relative path/,
    ],
    [
      'an absolute weight path',
      (dir) => editJson(encoderJson(dir), (json) => void (json.weightsManifest[0].paths = [outside])),
      /names the file ".*outside\.bin", which is not a plain relative path/,
    ],
    [
      'a backslash in a weight path',
      (dir) => editJson(encoderJson(dir), (json) => void (json.weightsManifest[0].paths = ['sub\\weights.bin'])),
      /not a plain relative path; only files inside the folder are read/,
    ],
    [
      'weights.bin as a symlink to a file outside the folder',
      async (dir) => {
        await fs.rm(encoderWeights(dir));
        await fs.symlink(outside, encoderWeights(dir));
      },
      /weights\.bin \(from .*model\.json\) resolves to .*outside\.bin, outside .* \(through a symbolic link\)/,
    ],
    [
      'the encoder folder as a symlink outside the checkpoint',
      async (dir) => {
        const elsewhere = `${dir}-encoder-elsewhere`;
        await fs.rename(path.join(dir, 'encoder'), elsewhere);
        await fs.symlink(elsewhere, path.join(dir, 'encoder'));
      },
      /encoder\/model\.json \(from .*latent-lab\.json\) resolves to .* \(through a symbolic link\)/,
    ],
    ['a truncated weights.bin', (dir) => fs.truncate(encoderWeights(dir), 100), /weights\.bin: 100 bytes on disk but .*model\.json declares 152 bytes for 4 weights; the files are truncated/],
    ['a weights.bin longer than declared', (dir) => fs.appendFile(encoderWeights(dir), Buffer.alloc(4)), /156 bytes on disk but .* declares 152 bytes .* longer than declared/],
    [
      'NaN in the weights',
      async (dir) => {
        const bytes = await fs.readFile(encoderWeights(dir));
        bytes.writeFloatLE(Number.POSITIVE_INFINITY, 8);
        await fs.writeFile(encoderWeights(dir), bytes);
      },
      /weights\.bin: weight "dense_Dense\d+\/kernel" holds Infinity at index 2; the weights are corrupt/,
    ],
    [
      'a shape in the manifest that does not match the file',
      (dir) => editJson(encoderJson(dir), (json) => void (json.weightsManifest[0].weights[0].shape = [6, 5])),
      /152 bytes on disk but .*model\.json declares 176 bytes/,
    ],
    [
      'an absurd shape',
      (dir) => editJson(encoderJson(dir), (json) => void (json.weightsManifest[0].weights[0].shape = [1e9, 1e9, 1e9])),
      /weight "dense_Dense\d+\/kernel" declares shape \[1000000000, 1000000000, 1000000000\], over the 2 GiB limit/,
    ],
    [
      'a negative dimension',
      (dir) => editJson(encoderJson(dir), (json) => void (json.weightsManifest[0].weights[0].shape = [-6, 4])),
      /weightsManifest\[0\]\.weights\[0\]\.shape\[0\]: expected an integer ≥ 0/,
    ],
    [
      'a string weight',
      (dir) => editJson(encoderJson(dir), (json) => void (json.weightsManifest[0].weights[0].dtype = 'string')),
      /has dtype string, which is not supported/,
    ],
    [
      'quantized weights',
      (dir) => editJson(encoderJson(dir), (json) => void (json.weightsManifest[0].weights[0].quantization = { dtype: 'uint8', scale: 1, min: 0 })),
      /is quantized, which is not supported/,
    ],
    [
      'a weight no layer owns',
      (dir) => editJson(encoderJson(dir), (json) => void (json.weightsManifest[0].weights[0].name = 'stranger/kernel')),
      /model\.json: tfjs could not rebuild the model \(.*\); it uses a layer this version does not know or its weights do not fit its layers/,
    ],
    [
      'an unknown layer class',
      (dir) => editJson(encoderJson(dir), (json) => void (json.modelTopology.config.layers[0].class_name = 'NoSuchLayer')),
      /model\.json: tfjs could not rebuild the model \(Unknown layer: NoSuchLayer/,
    ],
    ['a model.json that is not JSON', (dir) => fs.writeFile(encoderJson(dir), '{"modelTopology": '), /model\.json is not valid JSON/],
    ['a 100 MB model.json', (dir) => fs.truncate(encoderJson(dir), 100 * 1024 ** 2), /model\.json is 100\.0 MiB, over the 64\.0 MiB limit/],
    [
      'a graph model',
      (dir) => editJson(encoderJson(dir), (json) => void (json.format = 'graph-model')),
      /is a tfjs graph-model, not a layers model/,
    ],
    ['a missing decoder', (dir) => fs.rm(path.join(dir, 'decoder'), { recursive: true }), /decoder\/model\.json \(from .*latent-lab\.json\) cannot be opened \(ENOENT/],
    [
      'latent-lab.json without latentDim',
      (dir) => editJson(path.join(dir, 'latent-lab.json'), (json) => void delete json.latentDim),
      /latent-lab\.json: latentDim: expected an integer ≥ 1/,
    ],
    [
      'latent-lab.json with a history entry lacking its epoch',
      (dir) => editJson(path.join(dir, 'latent-lab.json'), (json) => void (json.history = [{ loss: 1 }])),
      /latent-lab\.json: history\[0\]: expected an object of numbers with an integer epoch/,
    ],
    ['a missing latent-lab.json', (dir) => fs.rm(path.join(dir, 'latent-lab.json')), /latent-lab\.json \(from .*\) cannot be opened/],
    ['a truncated extra.bin', (dir) => fs.truncate(path.join(dir, 'extra.bin'), 20), /extra\.bin: 20 bytes on disk but .*latent-lab\.json declares 24 bytes/],
    [
      'NaN in extra.bin',
      (dir) => fs.writeFile(path.join(dir, 'extra.bin'), Buffer.from(new Float32Array([1, 1, Number.NaN, 1, 1, 1]).buffer)),
      /extra\.bin: weight "codebook" holds NaN at index 2/,
    ],
  ];

  for (const [name, damage, pattern] of cases) {
    test(name, async () => {
      const dir = await damaged(damage);
      await assertRefused(() => loadCheckpoint(tf, dir), pattern);
      await assertRefused(() => describeCheckpoint(tf, dir), pattern);
    });
  }

  test('a folder that does not exist', async () => {
    await assertRefused(() => loadCheckpoint(tf, path.join(scratch, 'nowhere')), /cannot open the folder .*nowhere \(ENOENT.*\); check that the path exists/);
  });
});
