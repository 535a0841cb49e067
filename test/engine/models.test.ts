/**
 * Every model kind on real MNIST digits: it describes itself completely, trains, its loss falls, and
 * a checkpoint reloads to the same outputs; the kinds with discrete units list them as before.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type * as tfTypes from '@tensorflow/tfjs';
import { type Backend, loadBackend } from '../../src/engine/backend';
import { saveCheckpoint } from '../../src/engine/checkpoint/checkpoint';
import type { Dataset } from '../../src/engine/data/dataset';
import { loadDataset } from '../../src/engine/data/loadDataset';
import { createHandlers } from '../../src/engine/handlers';
import { loopStages } from '../../src/engine/eventLoop';
import { gaussianKlPerDim } from '../../src/engine/models/losses';
import type { BuiltModel } from '../../src/engine/models/modelKind';
import { openCheckpoint } from '../../src/engine/models/openCheckpoint';
import { modelKind, modelKinds } from '../../src/engine/models/registry';
import { nearestCodes, perplexity } from '../../src/engine/models/vqvae';
import { runTraining } from '../../src/engine/training/runTraining';
import { train } from '../../src/engine/training/train';
import { modelKindDescriptorSchema } from '../../src/shared/modelKinds';
import { EngineError, engineMethods } from '../../src/shared/protocol';
import { rejectsInOneLine } from '../support/helpers';

const small: Record<string, Record<string, unknown>> = {
  ae: { hidden: [64] },
  dae: { hidden: [64] },
  ksparse: { k: 5 },
  conv: { filters: [4, 8] },
  vae: { encoder: 'dense', hidden: [64] },
  betavae: { encoder: 'conv', filters: [4, 8] },
  vqvae: { encoder: 'dense', hidden: [64], codebookSize: 16, positions: 2 },
};

let backend: Backend;
let tf: Backend['tf'];
let data: Dataset;
let x: tfTypes.Tensor;
const workDir = mkdtempSync(path.join(tmpdir(), 'latent-lab-models-'));

before(async () => {
  backend = await loadBackend();
  tf = backend.tf;
  data = await loadDataset('sample', { limit: 512 });
  x = tf.tensor(data.x, [data.count, ...data.shape]);
});
after(() => {
  x.dispose();
  rmSync(workDir, { recursive: true, force: true });
});

function build(kind: string, overrides: Record<string, unknown> = {}): BuiltModel<unknown> {
  const spec = modelKind(kind);
  const latentDim = kind === 'ksparse' ? 32 : 4;
  const config = spec.configSchema.parse({ ...(spec.defaults(data.shape, latentDim) as object), ...small[kind], ...overrides, seed: 3 });
  return spec.build(tf, config as never, data.shape);
}

async function predict(model: BuiltModel<unknown>, rows: tfTypes.Tensor) {
  const z = model.encode(rows);
  const out = model.decode(z);
  const result = { z: await z.data(), out: await out.data() };
  z.dispose();
  out.dispose();
  return result;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

test('every registered kind describes itself completely, and the engine lists the descriptors for the host', async () => {
  const names = modelKinds.map(({ descriptor }) => descriptor.name);
  assert.equal(new Set(names).size, names.length, `names are unique: ${names.join(', ')}`);
  for (const { descriptor, configSchema, defaults } of modelKinds) {
    assert.doesNotThrow(() => modelKindDescriptorSchema.parse(descriptor, descriptor.name));
    assert.ok(!['foreign', 'latents'].includes(descriptor.name), `${descriptor.name}: the session kinds of models made elsewhere and bare latents stay free`);
    assert.doesNotThrow(() => configSchema.parse(defaults(data.shape, descriptor.defaults.latentDim)), `${descriptor.name}: New Experiment's latent size gives a valid config`);
    const model = build(descriptor.name);
    assert.equal(model.features?.kind, descriptor.capabilities.features, `${descriptor.name}: the model lists the units its capabilities name`);
    model.dispose();
  }
  const listed = await createHandlers().modelKinds({}, { signal: new AbortController().signal, emit: () => undefined });
  assert.doesNotThrow(() => engineMethods.modelKinds.result.parse(listed, 'modelKinds'));
  assert.deepEqual(listed.kinds, modelKinds.map(({ descriptor }) => descriptor));
});

test('an unknown kind is refused in one line that names the known ones, before any data is read', async () => {
  const known = modelKinds.map(({ descriptor }) => descriptor.name).join(', ');
  await rejectsInOneLine(runTraining(backend, { model: 'gan', data: '/no/such/file.npy', epochs: 1 }), EngineError, new RegExp(`^unknown model kind "gan" \\(known: ${known}\\)$`));
});

describe('every model kind', () => {
  for (const kind of modelKinds.map(({ descriptor }) => descriptor.name)) {
    test(`${kind}: trains on MNIST, loss falls, and the checkpoint reloads to identical outputs`, async () => {
      const model = build(kind);
      const result = await train(tf, model, x, { epochs: 3, batchSize: 64, validationFraction: 0.125, seed: 1, learningRate: 2e-3 });
      assert.equal(result.status, 'completed');
      const [first, , last] = result.history;
      assert.ok(last!.loss! < first!.loss!, `${kind}: loss ${first!.loss} → ${last!.loss} should fall`);
      assert.ok(Number.isFinite(last!.val_loss), 'validation loss is reported');

      const rows = tf.tidy(() => x.slice(0, 16));
      const expected = await predict(model, rows);
      assert.equal(expected.z.length, 16 * model.latentDim);
      model.prepareForSave?.();
      const dir = path.join(workDir, kind);
      await saveCheckpoint(tf, dir, model.parts, {
        kind, config: model.config, inputShape: data.shape, latentDim: model.latentDim, normalization: data.normalization, metrics: {}, history: result.history, epoch: 3,
      });
      const beforeLoad = tf.memory().numTensors;
      const reopened = await openCheckpoint(tf, dir);
      const actual = await predict(reopened.model, rows);
      assert.equal(maxAbsDiff(actual.z, expected.z), 0, 'same latents after reload');
      assert.ok(maxAbsDiff(actual.out, expected.out) < 1e-6, 'same reconstructions after reload');
      assert.deepEqual(reopened.meta.history, result.history);

      const steady = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) await predict(reopened.model, rows);
      assert.equal(tf.memory().numTensors, steady, 'encode/decode loops leak no tensors');
      reopened.model.dispose();
      assert.equal(tf.memory().numTensors, beforeLoad, 'disposing a reloaded model frees all of it');
      rows.dispose();
      model.dispose();
    });
  }
});

test('ksparse keeps exactly k non-zero units per sample, at training k and at any k chosen later', async () => {
  const model = build('ksparse');
  await train(tf, model, x, { epochs: 1, batchSize: 64, validationFraction: 0, seed: 1, learningRate: 1e-3 });
  for (const k of [5, 1, 12]) {
    const z = model.encode(x, { k });
    const values = await z.data();
    z.dispose();
    for (let row = 0; row < data.count; row++) {
      let nonZero = 0;
      for (let j = 0; j < model.latentDim; j++) if (values[row * model.latentDim + j] !== 0) nonZero++;
      assert.equal(nonZero, k, `row ${row} at k=${k}`);
    }
  }
  model.dispose();
});

test('ksparse with a tied decoder saves the transposed encoder dictionary as the decoder kernel', async () => {
  const model = build('ksparse');
  await train(tf, model, x, { epochs: 1, batchSize: 64, validationFraction: 0, seed: 1, learningRate: 1e-3 });
  model.prepareForSave!();
  const encoderKernel = model.parts.encoder.getWeights()[0]!;
  const decoderKernel = model.parts.decoder.getWeights()[0]!;
  const transposed = tf.transpose(encoderKernel);
  assert.equal(maxAbsDiff(await transposed.data(), await decoderKernel.data()), 0);
  transposed.dispose();
  model.dispose();
});

test('ksparse with an untied decoder trains its own decoder kernel', async () => {
  const model = build('ksparse', { tied: false });
  const decoderBefore = model.parts.decoder.getWeights()[0]!.dataSync().slice();
  const result = await train(tf, model, x, { epochs: 2, batchSize: 64, validationFraction: 0, seed: 1, learningRate: 1e-3 });
  assert.ok(result.history[1]!.loss! < result.history[0]!.loss!);
  const decoderAfter = model.parts.decoder.getWeights()[0]!.dataSync();
  assert.ok(decoderAfter.some((value, i) => value !== decoderBefore[i]), 'the untied decoder kernel is trained');
  model.dispose();
});

test('dae masking noise zeroes about noiseLevel of the inputs and leaves the rest untouched', async () => {
  const { corrupt } = await import('../../src/engine/models/dae');
  const { eagerContext } = await import('../../src/engine/models/modelKind');
  const ones = tf.ones([64, 100]);
  const noisy = corrupt(tf, { noise: 'masking', noiseLevel: 0.3, seed: 5 }, ones, eagerContext(true, 0));
  const values = await noisy.data();
  const zeroFraction = values.filter((v) => v === 0).length / values.length;
  assert.ok(Math.abs(zeroFraction - 0.3) < 0.03, `zeroed ${zeroFraction}`);
  assert.ok(values.every((v) => v === 0 || v === 1));
  tf.dispose([ones, noisy]);
});

test('vae reports a finite ELBO and per-dimension KL; a larger beta pulls the KL down', async () => {
  const klAfterTraining = async (kind: string, overrides: Record<string, unknown>) => {
    const model = build(kind, { encoder: 'dense', hidden: [64], ...overrides });
    const result = await train(tf, model, x, { epochs: 3, batchSize: 64, validationFraction: 0.125, seed: 1, learningRate: 2e-3 });
    const metrics = await model.metrics!(x);
    model.dispose();
    return { last: result.history.at(-1)!, metrics };
  };
  const plain = await klAfterTraining('vae', {});
  const heavy = await klAfterTraining('betavae', { beta: 8 });
  assert.ok(Number.isFinite(plain.last.val_elbo) && plain.last.val_elbo! < 0, 'ELBO in nats is finite and negative');
  assert.equal((plain.metrics.klPerDim as number[]).length, 4);
  assert.ok(heavy.last.kl! < plain.last.kl!, `beta=8 KL ${heavy.last.kl} should be below beta=1 KL ${plain.last.kl}`);
});

test('ksparse features: each atom is its decoder row, usage is the share of samples using it, activations are its code column', async () => {
  const model = build('ksparse');
  await train(tf, model, x, { epochs: 1, batchSize: 64, validationFraction: 0, seed: 1, learningRate: 1e-3 });
  const units = model.features!;
  assert.equal(units.count, 32);
  // Tied and MSE: decoding e_i − decoding 0 leaves column i of the encoder kernel.
  const kernel = model.parts.encoder.getWeights()[0]!;
  const rows = tf.transpose(kernel);
  const tensors = tf.memory().numTensors;
  assert.ok(maxAbsDiff(await units.images(), await rows.data()) < 1e-5);
  assert.equal(tf.memory().numTensors, tensors, 'listing units leaks no tensors');
  rows.dispose();
  const z = model.encode(x);
  const latents = (await z.data()) as Float32Array;
  z.dispose();
  const usage = await units.usage(latents, data.count);
  const firing = (unit: number) => Array.from({ length: data.count }, (_, row) => latents[row * 32 + unit]!);
  for (let unit = 0; unit < 32; unit++) assert.ok(Math.abs(usage[unit]! - firing(unit).filter((value) => value !== 0).length / data.count) < 1e-4, `usage of unit ${unit}`);
  assert.deepEqual(Array.from(await units.activations(latents, data.count, 7)), firing(7));
  model.dispose();
});

test('vqvae features: the codes read off the latents are a brute-force nearest-code search, counted per position and per sample', async () => {
  const model = build('vqvae');
  await train(tf, model, x, { epochs: 1, batchSize: 64, validationFraction: 0, seed: 1, learningRate: 2e-3 });
  const units = model.features!;
  const codebook = model.parts.extraVariables.codebook!.dataSync();
  const [size, dim] = [16, 4];
  assert.equal(units.count, size);
  const z = model.encode(x);
  const latents = (await z.data()) as Float32Array;
  z.dispose();
  const positions = model.latentDim / dim;
  const codes = Array.from({ length: data.count * positions }, (_, slot) => {
    let best = 0;
    let bestDistance = Infinity;
    for (let code = 0; code < size; code++) {
      let distance = 0;
      for (let j = 0; j < dim; j++) distance += (latents[slot * dim + j]! - codebook[code * dim + j]!) ** 2;
      if (distance < bestDistance) [best, bestDistance] = [code, distance];
    }
    return best;
  });
  const tensors = tf.memory().numTensors;
  const usage = await units.usage(latents, data.count);
  for (let code = 0; code < size; code++) assert.equal(usage[code], Math.fround(codes.filter((c) => c === code).length / codes.length), `usage of code ${code}`);
  const used = usage.indexOf(Math.max(...usage));
  const perSample = Array.from({ length: data.count }, (_, row) => codes.slice(row * positions, (row + 1) * positions).filter((c) => c === used).length);
  assert.deepEqual(Array.from(await units.activations(latents, data.count, used)), perSample);
  const images = await units.images();
  assert.equal(images.length, size * 784);
  assert.ok(images.every((value) => value >= 0 && value <= 1), 'decoded codes are outputs in the data range');
  assert.equal(tf.memory().numTensors, tensors, 'listing units leaks no tensors');
  model.dispose();
});

test('vqvae uses more than one code (perplexity > 1) and assigns a code to every position', async () => {
  const model = build('vqvae');
  await train(tf, model, x, { epochs: 2, batchSize: 64, validationFraction: 0, seed: 1, learningRate: 2e-3 });
  const metrics = await model.metrics!(x);
  assert.ok((metrics.perplexity as number) > 1, `perplexity ${metrics.perplexity}`);
  assert.equal((metrics.codeUsage as number[]).reduce((a, b) => a + b, 0), data.count * 2, 'every position is assigned a code');
  model.dispose();
});

test('diagnostics over more samples than one piece take turns between pieces and equal the whole-batch values', async () => {
  // 812 digits: a piece of 512 and one of 300.
  const rows = tf.concat([x, x.slice(0, 300)]);
  const metricsWithTurns = async (model: BuiltModel<unknown>) => {
    const stages: string[] = [];
    const onStage = (stage: unknown) => stages.push(String(stage));
    const tensors = tf.memory().numTensors;
    loopStages.subscribe(onStage);
    const metrics = await model.metrics!(rows).finally(() => loopStages.unsubscribe(onStage));
    assert.equal(tf.memory().numTensors, tensors, 'the pieces leak no tensors');
    assert.ok(stages.length >= 1 && stages.every((stage) => stage === 'diagnostics'), `turns: ${stages.join(', ')}`);
    return metrics;
  };

  const vae = build('vae');
  const { klPerDim, activeUnits } = await metricsWithTurns(vae);
  const whole = tf.tidy(() => {
    const [mean, logVar] = vae.parts.encoder.apply(rows) as tfTypes.Tensor[];
    return tf.mean(gaussianKlPerDim(tf, mean!, logVar!), 0);
  });
  const reference = await whole.data();
  whole.dispose();
  assert.ok(maxAbsDiff(klPerDim as number[], reference) < 1e-5, `KL per dimension ${String(klPerDim)} vs ${String(reference)}`);
  assert.equal(activeUnits, Array.from(reference).filter((value) => value > 0.01).length);
  vae.dispose();

  const vq = build('vqvae');
  await train(tf, vq, x, { epochs: 1, batchSize: 64, validationFraction: 0, seed: 1, learningRate: 2e-3 });
  const usage = await metricsWithTurns(vq);
  const codes = tf.tidy(() => nearestCodes(tf, (vq.parts.encoder.apply(rows) as tfTypes.Tensor).reshape([-1, 4]), vq.parts.extraVariables.codebook!));
  const counts = Array.from({ length: 16 }, () => 0);
  for (const code of await codes.data()) counts[code]! += 1;
  codes.dispose();
  assert.deepEqual(usage.codeUsage, counts, 'each code counted exactly');
  assert.equal(usage.codesUsed, counts.filter((count) => count > 0).length);
  assert.equal(usage.perplexity, perplexity(counts));
  vq.dispose();
  rows.dispose();
});
