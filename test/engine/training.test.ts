/** The training loop's contracts: cancel within a batch, NaN stops with the last good checkpoint, early stop, resume, seeds. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { type Backend, loadBackend } from '../../src/engine/backend';
import { loopStages } from '../../src/engine/eventLoop';
import { modelKind } from '../../src/engine/models/registry';
import { runTraining } from '../../src/engine/training/runTraining';
import type { Progress } from '../../src/shared/protocol';
import { train } from '../../src/engine/training/train';

let backend: Backend;
const workDir = mkdtempSync(path.join(tmpdir(), 'latent-lab-training-'));
before(async () => {
  backend = await loadBackend();
});
after(() => rmSync(workDir, { recursive: true, force: true }));

const tinyAe = { hidden: [32] };

test('cancel stops within one batch and keeps the checkpoint of the last finished epoch', async () => {
  const out = path.join(workDir, 'cancel');
  const controller = new AbortController();
  const progress: Progress[] = [];
  const result = await runTraining(backend, { model: 'ae', data: 'sample', limit: 2000, epochs: 50, batchSize: 50, out, config: tinyAe }, {
    signal: controller.signal,
    onProgress: (event) => {
      progress.push(event);
      if (event.phase === 'epoch' && event.epoch === 1) controller.abort();
    },
  });
  assert.equal(result.status, 'cancelled');
  assert.equal(result.epoch, 1);
  assert.equal(result.checkpoint, out);
  const batchEventsAfterAbort = progress.filter((event) => event.epoch === 2).length;
  assert.ok(batchEventsAfterAbort <= 1, 'no batch of epoch 2 runs after the abort');
  const meta = JSON.parse(readFileSync(path.join(out, 'latent-lab.json'), 'utf8')) as { epoch: number };
  assert.equal(meta.epoch, 1);
});

test('a NaN loss stops training with a clear message and never calls the checkpoint writer', async () => {
  const { tf } = backend;
  const spec = modelKind('ae');
  const model = spec.build(tf, spec.configSchema.parse({ ...(spec.defaults([8], 2) as object), hidden: [4], reconstruction: 'mse' }) as never, [8]);
  const values = new Float32Array(64 * 8).fill(0.5);
  values[100] = Number.NaN;
  const x = tf.tensor(values, [64, 8]);
  let checkpoints = 0;
  const result = await train(tf, model, x, { epochs: 3, batchSize: 64, validationFraction: 0, seed: 0, learningRate: 1e-3, onEpochEnd: async () => void checkpoints++ });
  assert.equal(result.status, 'diverged');
  assert.match(result.message, /loss became NaN at epoch 1, batch 1/);
  assert.match(result.message, /lower learning rate/);
  assert.equal(checkpoints, 0);
  x.dispose();
  model.dispose();
});

test('early stopping ends the run once validation stops improving for `patience` epochs', async () => {
  const { tf } = backend;
  const spec = modelKind('ae');
  const model = spec.build(tf, spec.configSchema.parse({ ...(spec.defaults([8], 2) as object), hidden: [4] }) as never, [8]);
  const x = tf.randomUniform([128, 8], 0, 1, 'float32', 1);
  const result = await train(tf, model, x, { epochs: 20, batchSize: 32, validationFraction: 0.25, seed: 0, learningRate: 1e-3, earlyStopping: { patience: 2, minDelta: 1e9 } });
  assert.equal(result.status, 'early-stopped');
  assert.equal(result.history.length, 3, 'the first epoch sets the best loss, then two epochs without improvement');
  assert.match(result.message, /no improvement of the validation loss for 2 epochs/);
  x.dispose();
  model.dispose();
});

test('resume continues from the checkpoint epoch with its history, and the same seed repeats a run exactly', async () => {
  const out = path.join(workDir, 'resume');
  const first = await runTraining(backend, { model: 'vae', data: 'sample', limit: 600, epochs: 2, out, seed: 4, config: { encoder: 'dense', hidden: [32] } });
  assert.equal(first.epoch, 2);
  const resumed = await runTraining(backend, { model: 'vae', data: 'sample', limit: 600, epochs: 3, out, resume: true });
  assert.equal(resumed.epoch, 3);
  assert.deepEqual(resumed.history.slice(0, 2), first.history);
  assert.equal(resumed.history.length, 3);

  const again = await runTraining(backend, { model: 'vae', data: 'sample', limit: 600, epochs: 2, out: path.join(workDir, 'again'), seed: 4, config: { encoder: 'dense', hidden: [32] } });
  assert.deepEqual(again.history, first.history, 'same seed, same data: identical history');
});

test('resume refuses a checkpoint of another kind with a clear message', async () => {
  const out = path.join(workDir, 'kind-mismatch');
  await runTraining(backend, { model: 'ae', data: 'sample', limit: 300, epochs: 1, out, config: tinyAe });
  await assert.rejects(runTraining(backend, { model: 'vae', data: 'sample', limit: 300, epochs: 2, out, resume: true }), /it is a ae checkpoint, not vae/);
  assert.ok(existsSync(path.join(out, 'latent-lab.json')), 'the checkpoint is untouched');
});

test('a run takes a turn of the event loop before each stage: reading the data, every batch, each step of compiling, the timeline, the checkpoint files, the diagnostics', async () => {
  // Stages are announced only by nextTurn, as it resumes after a turn in which messages were read.
  const stages: string[] = [];
  const onStage = (stage: unknown) => stages.push(String(stage));
  loopStages.subscribe(onStage);
  try {
    // Three training and three validation batches of 64: the third of each compiles its step.
    const result = await runTraining(backend, { model: 'vae', data: 'sample', limit: 384, epochs: 1, batchSize: 64, validationFraction: 0.5, out: path.join(workDir, 'stages'), config: { encoder: 'conv', filters: [8, 16] } });
    assert.match(result.execution ?? '', /ran as one TensorFlow graph each/);
  } finally {
    loopStages.unsubscribe(onStage);
  }
  // The replay check takes a turn before comparing each output (loss terms, then variables), and
  // reading the data one before each piece of it (how many depends on the sizes, checked in data-idx).
  const replayChecks = stages.filter((stage) => stage === 'compile: replay check').length;
  assert.ok(replayChecks >= 10, `${replayChecks} turns in the replay checks`);
  const compile = ['compile: compare traces', 'compile: write graph', 'compile: load session', 'compile: first graph run', 'compile: replay check'];
  const checkpoint = ['checkpoint', 'checkpoint: encoder', 'checkpoint: decoder', 'checkpoint: files', 'checkpoint: metadata'];
  const repeated = new Set(['data', 'compile: replay check']);
  const collapsed = stages.filter((stage, i) => !repeated.has(stage) || stages[i - 1] !== stage);
  assert.deepEqual(collapsed, ['data', 'model', 'batch', 'batch', 'batch', ...compile, 'validation', 'validation', 'validation', ...compile, 'timeline', ...checkpoint, 'diagnostics', ...checkpoint]);
});
