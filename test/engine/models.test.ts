/** Every model kind on real MNIST digits: it trains, its loss falls, and a checkpoint reloads to the same outputs. */
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
import type { BuiltModel } from '../../src/engine/models/modelKind';
import { openCheckpoint } from '../../src/engine/models/openCheckpoint';
import { modelKind, modelKinds } from '../../src/engine/models/registry';
import { train } from '../../src/engine/training/train';

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

describe('every model kind', () => {
  for (const kind of Object.keys(modelKinds)) {
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

test('vqvae uses more than one code (perplexity > 1) and assigns a code to every position', async () => {
  const model = build('vqvae');
  await train(tf, model, x, { epochs: 2, batchSize: 64, validationFraction: 0, seed: 1, learningRate: 2e-3 });
  const metrics = await model.metrics!(x);
  assert.ok((metrics.perplexity as number) > 1, `perplexity ${metrics.perplexity}`);
  assert.equal((metrics.codeUsage as number[]).reduce((a, b) => a + b, 0), data.count * 2, 'every position is assigned a code');
  model.dispose();
});
